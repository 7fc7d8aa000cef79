//! Where everything on the timeline goes, as plain numbers: the time
//! axis's scale, its grid lines and labels, the group bands and rows one
//! under the other, and in each row its path line, status flags, slips,
//! done connectors and milestone markers. Nothing here writes markup or
//! text; `timeline.rs` walks the result once through the SVG writer.
//!
//! A milestone's state (done, overdue, planned) is the derived fact the
//! caller passes in ([`TimelineMilestone::overdue`]); it is read here, in
//! [`MarkerState::of`], and never worked out from the dates.

use super::{TimelineMilestone, TimelineRow};
use crate::svg::PathStep;
use pilotbook_core::model::Date;

/// Height of one pilot row.
pub(super) const ROW_HEIGHT: f64 = 28.0;
/// Height of a group band.
pub(super) const GROUP_HEIGHT: f64 = 24.0;
/// Height of the axis header: year labels, month labels, today label.
const HEADER_HEIGHT: f64 = 58.0;
const YEAR_BASELINE: f64 = 16.0;
const MONTH_BASELINE: f64 = 34.0;
const TODAY_BASELINE: f64 = 50.0;
/// Width of the left column holding the pilots' titles.
pub(super) const LABEL_WIDTH: f64 = 280.0;
/// Left edge of a title inside the label column (group labels sit at 6).
const LABEL_INDENT: f64 = 16.0;
pub(super) const RIGHT_PAD: f64 = 16.0;
const BOTTOM_PAD: f64 = 8.0;
/// The scale when the data fits: about 76 px a month.
pub(super) const PX_PER_DAY: f64 = 2.5;
/// The widest the chart (right of the label column) may grow.
pub(super) const MAX_CHART_WIDTH: f64 = 12_000.0;
/// Days added before the first and after the last date.
const MARGIN_DAYS: i64 = 14;
/// The shortest axis, in months.
const MIN_MONTHS: i64 = 3;
pub(super) const MARKER_RADIUS: f64 = 5.0;
const DIAMOND_RADIUS: f64 = 6.5;
pub(super) const SLIP_RADIUS: f64 = 3.0;
/// Minimum spacing of grid lines, month labels and year labels, in px.
pub(super) const MIN_GRID_SPACING: f64 = 8.0;
const MIN_MONTH_LABEL_SPACING: f64 = 34.0;
const MIN_YEAR_LABEL_SPACING: f64 = 44.0;
/// Estimated widths of a month label ("Sep") and a year label ("2026").
const MONTH_LABEL_WIDTH: f64 = 24.0;
const YEAR_LABEL_WIDTH: f64 = 30.0;
/// Room kept for the today label ("today 2026-07-01") beside its line.
const TODAY_LABEL_WIDTH: f64 = 110.0;
const AVERAGE_DAYS_PER_MONTH: f64 = 30.436_875;

const MONTH_NAMES: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// The whole chart's geometry.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Layout {
    pub(super) scale: Scale,
    /// Size of the `<svg>`, whole pixels.
    pub(super) width: f64,
    pub(super) height: f64,
    pub(super) axis: Axis,
    /// Group bands and rows, top to bottom.
    pub(super) lines: Vec<Line>,
    pub(super) today: TodayLine,
}

/// A horizontal band of the chart.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Line {
    /// The band opening the group of row `row`, with its top `y`.
    Group { row: usize, y: f64 },
    /// A pilot's row.
    Row(RowMarks),
}

/// Grid lines, month labels and year labels of the axis.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Axis {
    /// The line under the header: from `x1` to `x2` at `y`.
    pub(super) baseline: (f64, f64, f64),
    pub(super) grid: Vec<GridLine>,
    /// Where grid lines end.
    pub(super) grid_bottom: f64,
    /// Month labels: x and name, at [`Axis::month_y`].
    pub(super) months: Vec<(f64, &'static str)>,
    pub(super) month_y: f64,
    /// Year labels: x and year, at [`Axis::year_y`].
    pub(super) years: Vec<(f64, i64)>,
    pub(super) year_y: f64,
}

/// A vertical grid line at a month start; a January's runs up to the
/// year labels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct GridLine {
    pub(super) x: f64,
    pub(super) top: f64,
    pub(super) january: bool,
}

/// The today line and its label, on the side where the label fits.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct TodayLine {
    pub(super) x: f64,
    pub(super) top: f64,
    pub(super) bottom: f64,
    pub(super) label: (f64, f64),
    /// `start` (label right of the line) or `end` (left of it).
    pub(super) anchor: &'static str,
}

/// Where one pilot's marks go.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct RowMarks {
    /// Index of the row in the input.
    pub(super) row: usize,
    /// Top of the row, and its middle, where the marks sit.
    pub(super) y: f64,
    pub(super) cy: f64,
    /// Every other row of a group has a shaded background.
    pub(super) alternate: bool,
    /// The title's x and baseline.
    pub(super) label: (f64, f64),
    /// From the earliest to the latest due or done date, when they differ.
    pub(super) path_line: Option<(f64, f64)>,
    /// A flag per status change, in input order.
    pub(super) status_flags: Vec<[PathStep; 5]>,
    /// The span of the status each change began, to the next change or
    /// to today: `(change index, x1, x2)`; empty spans are left out.
    pub(super) status_bands: Vec<(usize, f64, f64)>,
    /// A faint marker per earlier due date, milestone by milestone.
    pub(super) slips: Vec<SlipMark>,
    /// A dashed line from due to done date, for milestones done on another day.
    pub(super) done_links: Vec<(f64, f64)>,
    /// A marker per milestone, in input order.
    pub(super) markers: Vec<Marker>,
}

/// An earlier due date: `row.milestones[milestone].slips[slip]`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct SlipMark {
    pub(super) milestone: usize,
    pub(super) slip: usize,
    /// Centre of the faint marker at the old date.
    pub(super) x: f64,
    /// An arched arrow to the new date, when the date moved.
    pub(super) arrow: Option<[PathStep; 2]>,
}

/// How a milestone is drawn: a filled circle, a diamond or a hollow circle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum MarkerState {
    Done,
    Overdue,
    Planned,
}

impl MarkerState {
    /// The state of `m`: done if it has a done date, else overdue if the
    /// derived facts say so, else planned.
    pub(super) fn of(m: &TimelineMilestone) -> MarkerState {
        match (m.done, m.overdue_days.is_some()) {
            (Some(_), _) => MarkerState::Done,
            (None, true) => MarkerState::Overdue,
            (None, false) => MarkerState::Planned,
        }
    }
}

/// A milestone's marker.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Marker {
    pub(super) state: MarkerState,
    pub(super) shape: Shape,
}

/// A marker's outline.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Shape {
    /// Centre x, centre y and radius.
    Circle(f64, f64, f64),
    /// The outline, boxed: it is ten times the size of a circle.
    Diamond(Box<[PathStep; 5]>),
}

/// The layout of `rows` with a today line at `today`, or `None` when no
/// row has a dated item.
pub(super) fn layout(rows: &[TimelineRow], today: Date) -> Option<Layout> {
    let today = today.days_since_epoch();
    let (first, last) = data_range(rows)?;
    let scale = Scale::new(first.min(today), last.max(today));
    let chart_right = LABEL_WIDTH + scale.chart_width();
    let width = (chart_right + RIGHT_PAD).ceil();
    let (lines, bottom) = stack(rows, &scale, scale.x(today));
    let height = (bottom + BOTTOM_PAD).ceil();
    Some(Layout {
        axis: axis(&scale, chart_right, height - BOTTOM_PAD),
        today: today_line(scale.x(today), width, height),
        scale,
        width,
        height,
        lines,
    })
}

/// Group bands and rows one under the other below the header, a band
/// wherever the group changes; and the bottom of the last.
pub(super) fn stack(rows: &[TimelineRow], scale: &Scale, today_x: f64) -> (Vec<Line>, f64) {
    let mut lines = Vec::with_capacity(rows.len() + 8);
    let mut y = HEADER_HEIGHT;
    let mut previous_group: Option<&str> = None;
    let mut alternate = false;
    for (index, row) in rows.iter().enumerate() {
        if previous_group != Some(row.group.as_str()) {
            lines.push(Line::Group { row: index, y });
            y += GROUP_HEIGHT;
            previous_group = Some(&row.group);
            alternate = false;
        }
        lines.push(Line::Row(row_marks(
            row,
            index,
            (y, today_x),
            alternate,
            scale,
        )));
        alternate = !alternate;
        y += ROW_HEIGHT;
    }
    (lines, y)
}

/// The earliest and latest day of any milestone, slip or status change.
pub(super) fn data_range(rows: &[TimelineRow]) -> Option<(i64, i64)> {
    let mut range: Option<(i64, i64)> = None;
    let mut see = |date: Date| {
        let d = date.days_since_epoch();
        range = Some(match range {
            Some((lo, hi)) => (lo.min(d), hi.max(d)),
            None => (d, d),
        });
    };
    for row in rows {
        for m in &row.milestones {
            see(m.due);
            if let Some(done) = m.done {
                see(done);
            }
            for &(from, to) in &m.slips {
                see(from);
                see(to);
            }
        }
        for change in &row.status_changes {
            see(change.date);
        }
    }
    range
}

/// The time axis: which days it spans and how many px a day takes.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Scale {
    /// Month index (`year * 12 + month - 1`) of the axis origin.
    pub(super) start_month: i64,
    /// Month index of the month start that ends the axis.
    pub(super) end_month: i64,
    /// Day (since the epoch) of the origin.
    start: i64,
    /// Day of the end.
    end: i64,
    pub(super) px_per_day: f64,
}

impl Scale {
    /// The axis over days `first..=last`: a margin either side, rounded
    /// out to month starts, at least [`MIN_MONTHS`] long, at
    /// [`PX_PER_DAY`] unless that is wider than [`MAX_CHART_WIDTH`].
    pub(super) fn new(first: i64, last: i64) -> Scale {
        let start_month = month_index(first.saturating_sub(MARGIN_DAYS));
        let end_month =
            (month_index(last.saturating_add(MARGIN_DAYS)) + 1).max(start_month + MIN_MONTHS);
        let start = month_start(start_month);
        let end = month_start(end_month);
        let span = (end - start).max(1) as f64;
        let px_per_day = if span * PX_PER_DAY <= MAX_CHART_WIDTH {
            PX_PER_DAY
        } else {
            MAX_CHART_WIDTH / span
        };
        Scale {
            start_month,
            end_month,
            start,
            end,
            px_per_day,
        }
    }

    /// The x of a day since the epoch.
    pub(super) fn x(&self, day: i64) -> f64 {
        LABEL_WIDTH + (day - self.start) as f64 * self.px_per_day
    }

    /// The x of a date.
    pub(super) fn x_of(&self, date: Date) -> f64 {
        self.x(date.days_since_epoch())
    }

    fn chart_width(&self) -> f64 {
        (self.end - self.start) as f64 * self.px_per_day
    }
}

/// The axis of `scale`, its grid lines down to `bottom`; labels stop
/// before they would run past the chart's right edge `chart_right`.
pub(super) fn axis(scale: &Scale, chart_right: f64, bottom: f64) -> Axis {
    let month_px = AVERAGE_DAYS_PER_MONTH * scale.px_per_day;
    Axis {
        baseline: (LABEL_WIDTH, chart_right, HEADER_HEIGHT),
        grid: grid_lines(scale, month_step(month_px, MIN_GRID_SPACING)),
        grid_bottom: bottom,
        months: month_labels(scale, month_px, chart_right),
        month_y: MONTH_BASELINE,
        years: year_labels(scale, month_px, chart_right),
        year_y: YEAR_BASELINE,
    }
}

/// A grid line every `step` months, at multiples of `step`.
fn grid_lines(scale: &Scale, step: i64) -> Vec<GridLine> {
    let mut lines = Vec::new();
    let mut month = first_multiple(scale.start_month, step);
    while month <= scale.end_month {
        let january = month.rem_euclid(12) == 0;
        lines.push(GridLine {
            x: scale.x(month_start(month)),
            top: if january { 4.0 } else { YEAR_BASELINE + 6.0 },
            january,
        });
        month += step;
    }
    lines
}

/// Month labels every 1, 2, 3 or 6 months, whichever first leaves room;
/// none when even 6 does not.
fn month_labels(scale: &Scale, month_px: f64, chart_right: f64) -> Vec<(f64, &'static str)> {
    let Some(step) = [1, 2, 3, 6]
        .into_iter()
        .find(|&s| s as f64 * month_px >= MIN_MONTH_LABEL_SPACING)
    else {
        return Vec::new();
    };
    let mut labels = Vec::new();
    let mut month = first_multiple(scale.start_month, step);
    while month < scale.end_month {
        let x = scale.x(month_start(month)) + 3.0;
        if x + MONTH_LABEL_WIDTH > chart_right + RIGHT_PAD {
            break;
        }
        labels.push((x, MONTH_NAMES[month.rem_euclid(12) as usize]));
        month += step;
    }
    labels
}

/// Year labels at the Januaries whose year is a multiple of the step, and
/// the opening year at the left edge when the axis does not open on one of
/// them and the label fits before the next.
fn year_labels(scale: &Scale, month_px: f64, chart_right: f64) -> Vec<(f64, i64)> {
    let step = year_step(month_px * 12.0, MIN_YEAR_LABEL_SPACING);
    let first_year = scale.start_month.div_euclid(12);
    let last_year = (scale.end_month - 1).div_euclid(12);
    let first_january = first_year + i64::from(scale.start_month.rem_euclid(12) != 0);
    let mut year = first_multiple(first_january, step);
    let mut labels = Vec::new();
    if year.saturating_mul(12) != scale.start_month {
        let next_x = scale.x(month_start(year.saturating_mul(12)));
        if next_x - LABEL_WIDTH >= MIN_YEAR_LABEL_SPACING {
            labels.push((LABEL_WIDTH + 3.0, first_year));
        }
    }
    while year <= last_year {
        let x = scale.x(month_start(year.saturating_mul(12))) + 3.0;
        if x + YEAR_LABEL_WIDTH > chart_right + RIGHT_PAD {
            break;
        }
        labels.push((x, year));
        year += step;
    }
    labels
}

/// The today line at `x` over all rows of a chart `width` by `height`,
/// its label to the right unless that would not fit.
pub(super) fn today_line(x: f64, width: f64, height: f64) -> TodayLine {
    let (label_x, anchor) = if x + TODAY_LABEL_WIDTH <= width {
        (x + 4.0, "start")
    } else {
        (x - 4.0, "end")
    };
    TodayLine {
        x,
        top: MONTH_BASELINE + 6.0,
        bottom: height - BOTTOM_PAD,
        label: (label_x, TODAY_BASELINE),
        anchor,
    }
}

/// The marks of `row` (input index `index`) with its top at `y`, on a
/// chart whose today line is at `today_x`.
pub(super) fn row_marks(
    row: &TimelineRow,
    index: usize,
    (y, today_x): (f64, f64),
    alternate: bool,
    scale: &Scale,
) -> RowMarks {
    let cy = y + ROW_HEIGHT / 2.0;
    let status_flags = row
        .status_changes
        .iter()
        .map(|change| status_flag(scale.x_of(change.date), y))
        .collect();
    // Each status from its change to the next, the last one to today.
    let status_bands = row
        .status_changes
        .iter()
        .enumerate()
        .filter_map(|(i, change)| {
            let from = scale.x_of(change.date);
            let to = row
                .status_changes
                .get(i + 1)
                .map_or(today_x, |next| scale.x_of(next.date));
            (to > from).then_some((i, from, to))
        })
        .collect();
    let done_links = row
        .milestones
        .iter()
        .filter_map(|m| {
            let done = m.done.filter(|&done| done != m.due)?;
            Some((scale.x_of(m.due), scale.x_of(done)))
        })
        .collect();
    RowMarks {
        row: index,
        y,
        cy,
        alternate,
        label: (LABEL_INDENT, cy + 4.0),
        path_line: path_line(&row.milestones, scale),
        status_flags,
        status_bands,
        slips: slip_marks(&row.milestones, scale, cy),
        done_links,
        markers: row
            .milestones
            .iter()
            .map(|m| marker(m, scale, cy))
            .collect(),
    }
}

/// The line under a row's markers, from its earliest to its latest due or
/// done date; none when there is only one date.
fn path_line(milestones: &[TimelineMilestone], scale: &Scale) -> Option<(f64, f64)> {
    let mut span: Option<(i64, i64)> = None;
    for m in milestones {
        for date in std::iter::once(m.due).chain(m.done) {
            let d = date.days_since_epoch();
            span = Some(span.map_or((d, d), |(lo, hi)| (lo.min(d), hi.max(d))));
        }
    }
    let (lo, hi) = span.filter(|(lo, hi)| hi > lo)?;
    Some((scale.x(lo), scale.x(hi)))
}

/// A status change's flag at `x` in the row whose top is `y`: a pole the
/// row's height less 3 px each end, a pennant at its top.
pub(super) fn status_flag(x: f64, y: f64) -> [PathStep; 5] {
    let top = y + 3.0;
    [
        PathStep::Move(x, top),
        PathStep::Vertical(y + ROW_HEIGHT - 3.0),
        PathStep::Move(x, top),
        PathStep::LineBy(6.0, 3.5),
        PathStep::LineBy(-6.0, 3.5),
    ]
}

/// The faint marker of every earlier due date, and an arched arrow from it
/// to the date it moved to, ending above that date's marker.
fn slip_marks(milestones: &[TimelineMilestone], scale: &Scale, cy: f64) -> Vec<SlipMark> {
    let mut marks = Vec::new();
    for (milestone, m) in milestones.iter().enumerate() {
        for (slip, &(from, to)) in m.slips.iter().enumerate() {
            let (x1, x2) = (scale.x_of(from), scale.x_of(to));
            let lift = cy - 11.0;
            let arrow = (from != to).then_some([
                PathStep::Move(x1, cy - SLIP_RADIUS),
                PathStep::Cubic([x1, lift, x2, lift, x2, cy - MARKER_RADIUS - 1.0]),
            ]);
            marks.push(SlipMark {
                milestone,
                slip,
                x: x1,
                arrow,
            });
        }
    }
    marks
}

/// A milestone's marker at row middle `cy`: a circle at the done date, a
/// diamond at the due date when overdue, else a circle at the due date.
pub(super) fn marker(m: &TimelineMilestone, scale: &Scale, cy: f64) -> Marker {
    let state = MarkerState::of(m);
    let shape = match state {
        MarkerState::Done => Shape::Circle(scale.x_of(m.done.unwrap_or(m.due)), cy, MARKER_RADIUS),
        MarkerState::Overdue => {
            let (x, r) = (scale.x_of(m.due), DIAMOND_RADIUS);
            Shape::Diamond(Box::new([
                PathStep::Move(x, cy - r),
                PathStep::Line(x + r, cy),
                PathStep::Line(x, cy + r),
                PathStep::Line(x - r, cy),
                PathStep::Close,
            ]))
        }
        MarkerState::Planned => Shape::Circle(scale.x_of(m.due), cy, MARKER_RADIUS),
    };
    Marker { state, shape }
}

/// The smallest month step (1, 2, 3, 6 months, then whole years) whose
/// width reaches `min_px`.
fn month_step(month_px: f64, min_px: f64) -> i64 {
    [1, 2, 3, 6]
        .into_iter()
        .find(|&s| s as f64 * month_px >= min_px)
        .unwrap_or_else(|| year_step(month_px * 12.0, min_px).saturating_mul(12))
}

/// The smallest year step of the series 1, 2, 5, 10, 20, 50… whose width
/// reaches `min_px`.
fn year_step(year_px: f64, min_px: f64) -> i64 {
    let mut base: i64 = 1;
    loop {
        for m in [1, 2, 5] {
            let step = base.saturating_mul(m);
            if step as f64 * year_px >= min_px || base >= 1_000_000_000_000 {
                return step;
            }
        }
        base = base.saturating_mul(10);
    }
}

/// The first multiple of `step` at or after `value`.
fn first_multiple(value: i64, step: i64) -> i64 {
    let step = step.max(1);
    let r = value.rem_euclid(step);
    if r == 0 { value } else { value + (step - r) }
}

/// `year * 12 + month - 1` of a day since the epoch.
pub(super) fn month_index(day: i64) -> i64 {
    let (year, month) = civil_from_days(day);
    year * 12 + month - 1
}

/// The day since the epoch of the first of a month index.
fn month_start(month_index: i64) -> i64 {
    days_from_civil(month_index.div_euclid(12), month_index.rem_euclid(12) + 1)
}

/// `YYYY-MM-01` of a month index, as [`Date`] displays it.
pub(super) fn month_label_date(month_index: i64) -> String {
    format!(
        "{}-{:02}-01",
        year_text(month_index.div_euclid(12)),
        month_index.rem_euclid(12) + 1
    )
}

/// A year as a label, at least four digits.
pub(super) fn year_text(year: i64) -> String {
    format!("{year:04}")
}

/// Year and month of a day since 1970-01-01 (Hinnant's civil-from-days, as
/// in [`Date`], on `i64` so that axis margins never overflow a year).
fn civil_from_days(days: i64) -> (i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(month <= 2), month)
}

/// Day since 1970-01-01 of the first of a month.
fn days_from_civil(year: i64, month: i64) -> i64 {
    let y = year - i64::from(month <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::timeline::TimelineStatusChange;

    fn date(text: &str) -> Date {
        Date::parse(text).expect("test date")
    }

    fn day(text: &str) -> i64 {
        date(text).days_since_epoch()
    }

    fn milestone(due: &str, done: Option<&str>, overdue: bool) -> TimelineMilestone {
        TimelineMilestone {
            name: "m".to_string(),
            due: date(due),
            done: done.map(date),
            overdue_days: overdue.then_some(1),
            slips: Vec::new(),
        }
    }

    fn row(group: &str, milestones: Vec<TimelineMilestone>) -> TimelineRow {
        TimelineRow {
            id: "p".to_string(),
            title: "P".to_string(),
            href: "pilots/p.html".to_string(),
            group: group.to_string(),
            status: "pilot".to_string(),
            milestones,
            status_changes: Vec::new(),
        }
    }

    /// The axis over 2026-03-01..2026-06-30, at 2.5 px a day, with
    /// 2026-03-01 at x 280 + 2.5 * 28 = 350 (the axis opens on 1 February).
    fn spring() -> Scale {
        Scale::new(day("2026-03-01"), day("2026-06-30"))
    }

    #[test]
    fn the_scale_opens_and_closes_on_month_starts_with_a_margin() {
        let scale = spring();
        assert_eq!(month_label_date(scale.start_month), "2026-02-01");
        assert_eq!(month_label_date(scale.end_month), "2026-08-01");
        assert_eq!(scale.px_per_day, PX_PER_DAY);
        assert_eq!(scale.x_of(date("2026-02-01")), LABEL_WIDTH);
        assert_eq!(scale.x_of(date("2026-03-01")), 350.0);
        // One day still gets the shortest axis.
        let one = Scale::new(day("2026-05-20"), day("2026-05-20"));
        assert_eq!(one.end_month - one.start_month, MIN_MONTHS);
        // A century shrinks to the widest chart instead.
        let long = Scale::new(day("1950-01-01"), day("2050-01-01"));
        assert!(long.px_per_day < PX_PER_DAY);
        assert!((long.chart_width() - MAX_CHART_WIDTH).abs() < 1e-6);
    }

    #[test]
    fn rows_stack_under_the_header_with_a_band_per_group() {
        let rows = [
            row("a", vec![milestone("2026-03-01", None, false)]),
            row("a", Vec::new()),
            row("a", Vec::new()),
            row("b", Vec::new()),
        ];
        let (lines, bottom) = stack(&rows, &spring(), 0.0);
        let placed: Vec<(Option<usize>, f64, bool)> = lines
            .iter()
            .map(|line| match line {
                Line::Group { y, .. } => (None, *y, false),
                Line::Row(marks) => (Some(marks.row), marks.y, marks.alternate),
            })
            .collect();
        assert_eq!(
            placed,
            [
                (None, 58.0, false),
                (Some(0), 82.0, false),
                (Some(1), 110.0, true),
                (Some(2), 138.0, false),
                (None, 166.0, false),
                (Some(3), 190.0, false),
            ]
        );
        assert_eq!(bottom, 218.0);
        let chart = layout(&rows, date("2026-06-30")).expect("dated");
        assert_eq!(chart.height, 226.0);
        // 1 Feb to 1 Aug is 181 days: 280 + 452.5 + 16, rounded up.
        assert_eq!(chart.width, 749.0);
    }

    #[test]
    fn a_row_places_its_marks_at_their_dates() {
        let scale = spring();
        let x = |text: &str| scale.x_of(date(text));
        let mut r = row(
            "g",
            vec![
                milestone("2026-03-01", Some("2026-03-11"), false),
                milestone("2026-04-01", Some("2026-04-01"), false),
                milestone("2026-05-01", None, true),
                milestone("2026-06-01", None, false),
            ],
        );
        r.milestones[3].slips = vec![
            (date("2026-05-01"), date("2026-05-01")),
            (date("2026-05-01"), date("2026-06-01")),
        ];
        r.status_changes = vec![
            TimelineStatusChange {
                date: date("2026-03-15"),
                to: "pilot".to_string(),
            },
            TimelineStatusChange {
                date: date("2026-05-10"),
                to: "go".to_string(),
            },
        ];
        let marks = row_marks(&r, 7, (100.0, scale.x_of(date("2026-06-01"))), true, &scale);
        // Each status as a band to the next change, the last to today.
        assert_eq!(
            marks.status_bands,
            [
                (0, x("2026-03-15"), x("2026-05-10")),
                (1, x("2026-05-10"), x("2026-06-01"))
            ]
        );
        r.status_changes.truncate(1);
        let marks = row_marks(&r, 7, (100.0, scale.x_of(date("2026-06-01"))), true, &scale);
        assert_eq!((marks.row, marks.cy, marks.alternate), (7, 114.0, true));
        assert_eq!(marks.label, (16.0, 118.0));
        assert_eq!(marks.path_line, Some((x("2026-03-01"), x("2026-06-01"))));
        // Only a milestone done on another day than due gets a connector.
        assert_eq!(marks.done_links, [(x("2026-03-01"), x("2026-03-11"))]);
        let states: Vec<MarkerState> = marks.markers.iter().map(|m| m.state).collect();
        assert_eq!(
            states,
            [
                MarkerState::Done,
                MarkerState::Done,
                MarkerState::Overdue,
                MarkerState::Planned
            ]
        );
        assert_eq!(
            marks.markers[0].shape,
            Shape::Circle(x("2026-03-11"), 114.0, MARKER_RADIUS)
        );
        assert_eq!(
            marks.markers[2].shape,
            Shape::Diamond(Box::new([
                PathStep::Move(x("2026-05-01"), 107.5),
                PathStep::Line(x("2026-05-01") + 6.5, 114.0),
                PathStep::Line(x("2026-05-01"), 120.5),
                PathStep::Line(x("2026-05-01") - 6.5, 114.0),
                PathStep::Close,
            ]))
        );
        assert_eq!(marks.status_flags, [status_flag(x("2026-03-15"), 100.0)]);
        // A slip that did not move the date has no arrow.
        assert_eq!(marks.slips.len(), 2);
        assert_eq!((marks.slips[0].milestone, marks.slips[0].slip), (3, 0));
        assert_eq!(marks.slips[0].arrow, None);
        assert_eq!(
            marks.slips[1].arrow,
            Some([
                PathStep::Move(x("2026-05-01"), 111.0),
                PathStep::Cubic([
                    x("2026-05-01"),
                    103.0,
                    x("2026-06-01"),
                    103.0,
                    x("2026-06-01"),
                    108.0
                ]),
            ])
        );
    }

    #[test]
    fn the_marker_state_is_the_derived_fact_not_the_dates() {
        let scale = spring();
        // Past due but not overdue (a closed pilot): a hollow circle.
        let closed = milestone("2026-03-01", None, false);
        assert_eq!(marker(&closed, &scale, 0.0).state, MarkerState::Planned);
        // Overdue as the facts say, whatever the dates: a diamond.
        let overdue = milestone("2026-06-01", None, true);
        let drawn = marker(&overdue, &scale, 0.0);
        assert_eq!(drawn.state, MarkerState::Overdue);
        assert!(matches!(drawn.shape, Shape::Diamond(_)));
        // Done wins over a stale overdue flag.
        let done = milestone("2026-03-01", Some("2026-03-02"), true);
        assert_eq!(marker(&done, &scale, 0.0).state, MarkerState::Done);
    }

    #[test]
    fn a_status_flag_is_a_pole_with_a_pennant() {
        assert_eq!(
            crate::svg::path_data(&status_flag(300.0, 100.0)),
            "M300 103V125M300 103l6 3.5l-6 3.5"
        );
    }

    #[test]
    fn the_axis_has_a_grid_line_per_month_and_labels_beside_them() {
        let scale = spring();
        let chart_right = LABEL_WIDTH + scale.chart_width();
        let axis = axis(&scale, chart_right, 200.0);
        assert_eq!(axis.baseline, (LABEL_WIDTH, chart_right, HEADER_HEIGHT));
        let xs: Vec<f64> = axis.grid.iter().map(|g| g.x).collect();
        let month_starts: Vec<f64> = ["02", "03", "04", "05", "06", "07", "08"]
            .iter()
            .map(|m| scale.x_of(date(&format!("2026-{m}-01"))))
            .collect();
        assert_eq!(xs, month_starts);
        assert!(axis.grid.iter().all(|g| !g.january && g.top == 22.0));
        let names: Vec<&str> = axis.months.iter().map(|m| m.1).collect();
        assert_eq!(names, ["Feb", "Mar", "Apr", "May", "Jun", "Jul"]);
        assert_eq!(axis.months[0].0, LABEL_WIDTH + 3.0);
        // No January on the axis: the opening year sits at the left edge.
        assert_eq!(axis.years, [(LABEL_WIDTH + 3.0, 2026)]);

        let winter = Scale::new(day("2025-11-20"), day("2026-02-10"));
        let right = LABEL_WIDTH + winter.chart_width();
        let axis = super::axis(&winter, right, 200.0);
        let january = axis.grid.iter().find(|g| g.january).expect("january");
        assert_eq!(january.x, winter.x_of(date("2026-01-01")));
        assert_eq!(january.top, 4.0);
        assert_eq!(
            axis.years,
            [(LABEL_WIDTH + 3.0, 2025), (january.x + 3.0, 2026)]
        );
    }

    #[test]
    fn labels_thin_out_when_months_are_narrow() {
        // Two thousand years on 12,000 px: 6 px a year, a label every ten.
        let scale = Scale::new(day("1000-01-01"), day("2999-12-31"));
        let right = LABEL_WIDTH + scale.chart_width();
        let axis = axis(&scale, right, 200.0);
        assert!(axis.months.is_empty());
        let years: Vec<i64> = axis.years.iter().map(|y| y.1).collect();
        assert_eq!(years[..3], [1000, 1010, 1020]);
        for pair in axis.years.windows(2) {
            assert_eq!(pair[1].1 - pair[0].1, 10);
            assert!(pair[1].0 - pair[0].0 >= MIN_YEAR_LABEL_SPACING);
        }
        for pair in axis.grid.windows(2) {
            assert!(pair[1].x - pair[0].x >= MIN_GRID_SPACING);
        }
    }

    #[test]
    fn the_today_label_flips_left_near_the_right_edge() {
        let line = today_line(300.0, 800.0, 200.0);
        assert_eq!((line.label, line.anchor), ((304.0, 50.0), "start"));
        assert_eq!((line.top, line.bottom), (40.0, 192.0));
        let line = today_line(750.0, 800.0, 200.0);
        assert_eq!((line.label, line.anchor), ((746.0, 50.0), "end"));
    }

    #[test]
    fn no_dated_item_no_layout() {
        assert_eq!(layout(&[], date("2026-06-01")), None);
        assert_eq!(layout(&[row("g", Vec::new())], date("2026-06-01")), None);
    }

    #[test]
    fn civil_helpers_agree_with_date() {
        for text in [
            "1970-01-01",
            "2024-02-29",
            "2026-12-31",
            "0001-03-01",
            "9999-12-31",
        ] {
            let d = date(text);
            let (y, m) = civil_from_days(d.days_since_epoch());
            assert_eq!(format!("{y:04}-{m:02}"), text[..7]);
            assert_eq!(
                month_label_date(month_index(d.days_since_epoch())),
                format!("{}-01", &text[..7])
            );
            let first = date(&format!("{}-01", &text[..7]));
            assert_eq!(days_from_civil(y, m), first.days_since_epoch());
        }
    }
}
