//! The production-path timeline: every pilot's milestones on one time axis,
//! drawn at build time as one `<svg>` element.
//!
//! The axis runs from the earliest date in the data (or today, if earlier)
//! less a margin, rounded down to a month start, to the latest date (or
//! today) plus a margin, at 2.5 px a day; when that would be wider than
//! 12,000 px the scale shrinks instead, and month and year labels thin out
//! so that no two labels overlap. Rows are drawn in the order given, with a
//! group band wherever the group changes: one 28 px row per pilot, its title
//! as a link in a 280 px label column, its milestones as markers (hollow
//! circle planned, filled circle done, diamond overdue, so colour is never
//! the only signal), earlier due dates as faint markers with an arrow to the
//! next one, status changes as small flags and a today line over all rows.
//! Milestone names are never drawn on the chart, only in tooltips, so no
//! label can collide with a marker.
//!
//! The module owns layout and markup, nothing else: it sees no template, no
//! model type but [`Date`], and it does no I/O. Styling is left to the
//! site's stylesheet through CSS classes (no colour is written here), every
//! text is XML-escaped, and the same input gives byte-identical output. The
//! SVG's ids (title, description, arrow marker, label clip) carry a hash of
//! the input, so two timelines on one page (by status, by owner) never share
//! one.

use std::fmt::Write as _;

use super::svg::{class_token, escape, num, plural, safe_href, truncate};
use pilotbook_core::model::Date;

/// One pilot's row on the timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimelineRow {
    /// The pilot's id (`[a-z0-9-]`), written as `data-pilot` on the row.
    pub id: String,
    /// The pilot's title, untrusted text: escaped, truncated in the label
    /// column and given in full in a tooltip.
    pub title: String,
    /// Relative link to the pilot's page, e.g. `pilots/ticket-triage.html`.
    pub href: String,
    /// The group label (a status or an owner); a band is drawn wherever it
    /// changes from one row to the next.
    pub group: String,
    /// `proposed | pilot | go | no-go | production | retired`, written as the
    /// class `status-<status>` on the row.
    pub status: String,
    /// The milestones of the production path.
    pub milestones: Vec<TimelineMilestone>,
    /// The status changes found in the document's history.
    pub status_changes: Vec<TimelineStatusChange>,
}

/// A milestone of a pilot's production path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimelineMilestone {
    /// The milestone's name, untrusted text, shown in tooltips only.
    pub name: String,
    /// The current due date.
    pub due: Date,
    /// When it was done, if it was.
    pub done: Option<Date>,
    /// Whether it is overdue (the derived state: not done, past due, and
    /// the pilot still open); drawn as a diamond.
    pub overdue: bool,
    /// Earlier due dates that moved, as `(from, to)`, oldest first.
    pub slips: Vec<(Date, Date)>,
}

/// A change of a pilot's status, from its history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimelineStatusChange {
    /// The date of the commit that changed it.
    pub date: Date,
    /// The new status.
    pub to: String,
}

/// Height of one pilot row.
const ROW_HEIGHT: f64 = 28.0;
/// Height of a group band.
const GROUP_HEIGHT: f64 = 24.0;
/// Height of the axis header: year labels, month labels, today label.
const HEADER_HEIGHT: f64 = 58.0;
const YEAR_BASELINE: f64 = 16.0;
const MONTH_BASELINE: f64 = 34.0;
const TODAY_BASELINE: f64 = 50.0;
/// Width of the left column holding the pilots' titles.
const LABEL_WIDTH: f64 = 280.0;
/// Left edge of a title inside the label column (group labels sit at 6).
const LABEL_INDENT: f64 = 16.0;
const RIGHT_PAD: f64 = 16.0;
const BOTTOM_PAD: f64 = 8.0;
/// The scale when the data fits: about 76 px a month.
const PX_PER_DAY: f64 = 2.5;
/// The widest the chart (right of the label column) may grow.
const MAX_CHART_WIDTH: f64 = 12_000.0;
/// Days added before the first and after the last date.
const MARGIN_DAYS: i64 = 14;
/// The shortest axis, in months.
const MIN_MONTHS: i64 = 3;
/// Titles longer than this (in narrow-character units) get an ellipsis.
const MAX_TITLE_UNITS: usize = 36;
const MAX_GROUP_UNITS: usize = 60;
const MARKER_RADIUS: f64 = 5.0;
const DIAMOND_RADIUS: f64 = 6.5;
const SLIP_RADIUS: f64 = 3.0;
/// Minimum spacing of grid lines, month labels and year labels, in px.
const MIN_GRID_SPACING: f64 = 8.0;
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

/// Writes to a `String`, which cannot fail.
macro_rules! put {
    ($out:expr, $($arg:tt)*) => {{
        let _ = write!($out, $($arg)*);
    }};
}

/// Render the timeline of `rows` as one `<svg class="timeline">` element,
/// with a today line at `today`.
///
/// Rows are drawn in the order given (the caller sorts them by group, then
/// title). Rows without any dated item are still listed. When no row has a
/// milestone or a status change, the result is a small SVG saying
/// "No milestones yet".
///
/// The root element carries `data-start` (the date at the axis origin),
/// `data-px-per-day` (the scale) and `data-x0` (the x of the axis origin),
/// so a script can map an x back to a date.
pub fn render(rows: &[TimelineRow], today: Date) -> String {
    let today_day = today.days_since_epoch();
    let id = timeline_id(rows, today);
    let Some((first, last)) = data_range(rows) else {
        return render_empty(&id, today);
    };
    let scale = Scale::new(first.min(today_day), last.max(today_day));
    let chart_right = LABEL_WIDTH + scale.chart_width();
    let width = (chart_right + RIGHT_PAD).ceil();

    let mut lines = Vec::with_capacity(rows.len() + 8);
    let mut y = HEADER_HEIGHT;
    let mut previous_group: Option<&str> = None;
    for row in rows {
        if previous_group != Some(row.group.as_str()) {
            lines.push(Line::Group(&row.group, y));
            y += GROUP_HEIGHT;
            previous_group = Some(&row.group);
        }
        lines.push(Line::Row(row, y));
        y += ROW_HEIGHT;
    }
    let height = (y + BOTTOM_PAD).ceil();

    let counts = Counts::of(rows);
    let mut out = String::with_capacity(1024 + rows.len() * 600);
    put!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"timeline\" role=\"img\" \
         aria-labelledby=\"{id}-title {id}-desc\" width=\"{w}\" height=\"{h}\" \
         viewBox=\"0 0 {w} {h}\" data-start=\"{start}\" data-px-per-day=\"{ppd}\" \
         data-x0=\"{x0}\">",
        w = num(width),
        h = num(height),
        start = month_label_date(scale.start_month),
        ppd = scale.px_per_day,
        x0 = num(LABEL_WIDTH),
    );
    put!(
        out,
        "<title id=\"{id}-title\">Production-path timeline</title>\
         <desc id=\"{id}-desc\">{}</desc>",
        escape(&counts.describe(&scale, today)),
    );
    put!(
        out,
        "<defs><marker id=\"{id}-arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" \
         markerWidth=\"6\" markerHeight=\"6\" markerUnits=\"userSpaceOnUse\" orient=\"auto\">\
         <path class=\"tl-arrow\" d=\"M0 0L10 5L0 10Z\"/></marker>\
         <clipPath id=\"{id}-clip\"><rect x=\"0\" y=\"0\" width=\"{}\" height=\"{}\"/>\
         </clipPath></defs>",
        num(LABEL_WIDTH - 8.0),
        num(height),
    );

    write_axis(&mut out, &scale, chart_right, height);

    let frame = Frame {
        id: &id,
        width,
        scale: &scale,
        today: today_day,
    };
    let mut alternate = false;
    for line in &lines {
        match *line {
            Line::Group(label, y) => {
                alternate = false;
                write_group(&mut out, label, y, width);
            }
            Line::Row(row, y) => {
                write_row(&mut out, &frame, row, y, alternate);
                alternate = !alternate;
            }
        }
    }

    let today_x = scale.x(today_day);
    put!(
        out,
        "<g class=\"tl-today\"><title>today {today}</title>\
         <line x1=\"{x}\" y1=\"{y1}\" x2=\"{x}\" y2=\"{y2}\"/>",
        x = num(today_x),
        y1 = num(MONTH_BASELINE + 6.0),
        y2 = num(height - BOTTOM_PAD),
    );
    let (label_x, anchor) = if today_x + TODAY_LABEL_WIDTH <= width {
        (today_x + 4.0, "start")
    } else {
        (today_x - 4.0, "end")
    };
    put!(
        out,
        "<text x=\"{}\" y=\"{}\" text-anchor=\"{anchor}\">today {today}</text></g></svg>",
        num(label_x),
        num(TODAY_BASELINE),
    );
    out
}

/// The small SVG for a portfolio without any dated item.
fn render_empty(id: &str, today: Date) -> String {
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"timeline empty\" role=\"img\" \
         aria-labelledby=\"{id}-title {id}-desc\" width=\"320\" height=\"60\" \
         viewBox=\"0 0 320 60\" data-start=\"{today}\" data-px-per-day=\"{PX_PER_DAY}\" \
         data-x0=\"0\"><title id=\"{id}-title\">Production-path timeline</title>\
         <desc id=\"{id}-desc\">No milestones yet.</desc>\
         <text class=\"tl-empty\" x=\"16\" y=\"34\">No milestones yet</text></svg>"
    )
}

/// An id prefix unique to the input (rows in order, groups, today), so
/// that two timelines on one page (by status and by owner) do not share
/// `<title>`, marker or clip-path ids. FNV-1a, for stable output.
fn timeline_id(rows: &[TimelineRow], today: Date) -> String {
    let mut hash: u32 = 0x811c_9dc5;
    let mut feed = |text: &str| {
        for byte in text.bytes().chain(std::iter::once(0)) {
            hash ^= u32::from(byte);
            hash = hash.wrapping_mul(0x0100_0193);
        }
    };
    feed(&today.to_string());
    for row in rows {
        feed(&row.id);
        feed(&row.group);
        feed(&row.title);
    }
    format!("timeline-{hash:08x}")
}

/// What every row needs to know of the whole chart.
#[derive(Clone, Copy)]
struct Frame<'a> {
    /// The id prefix of this SVG.
    id: &'a str,
    width: f64,
    scale: &'a Scale,
    /// Today, in days since the epoch.
    today: i64,
}

/// A horizontal line of the chart, with its top y.
enum Line<'a> {
    Group(&'a str, f64),
    Row(&'a TimelineRow, f64),
}

/// The earliest and latest day of any milestone, slip or status change.
fn data_range(rows: &[TimelineRow]) -> Option<(i64, i64)> {
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
struct Scale {
    /// Month index (`year * 12 + month - 1`) of the axis origin.
    start_month: i64,
    /// Month index of the month start that ends the axis.
    end_month: i64,
    /// Day (since the epoch) of the origin.
    start: i64,
    /// Day of the end.
    end: i64,
    px_per_day: f64,
}

impl Scale {
    fn new(first: i64, last: i64) -> Scale {
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

    fn x(&self, day: i64) -> f64 {
        LABEL_WIDTH + (day - self.start) as f64 * self.px_per_day
    }

    fn x_of(&self, date: Date) -> f64 {
        self.x(date.days_since_epoch())
    }

    fn chart_width(&self) -> f64 {
        (self.end - self.start) as f64 * self.px_per_day
    }
}

/// Grid lines, month labels and year labels, spaced so that none collide.
fn write_axis(out: &mut String, scale: &Scale, chart_right: f64, height: f64) {
    let month_px = AVERAGE_DAYS_PER_MONTH * scale.px_per_day;
    let grid_step = month_step(month_px, MIN_GRID_SPACING);
    let label_step = [1, 2, 3, 6]
        .into_iter()
        .find(|&s| s as f64 * month_px >= MIN_MONTH_LABEL_SPACING);
    let year_step = year_step(month_px * 12.0, MIN_YEAR_LABEL_SPACING);
    let bottom = num(height - BOTTOM_PAD);

    out.push_str("<g class=\"tl-axis\">");
    put!(
        out,
        "<line class=\"tl-baseline\" x1=\"{l}\" y1=\"{y}\" x2=\"{r}\" y2=\"{y}\"/>",
        l = num(LABEL_WIDTH),
        r = num(chart_right),
        y = num(HEADER_HEIGHT),
    );

    let mut month = first_multiple(scale.start_month, grid_step);
    while month <= scale.end_month {
        let x = num(scale.x(month_start(month)));
        let (class, top) = if month.rem_euclid(12) == 0 {
            ("tl-grid year", 4.0)
        } else {
            ("tl-grid", YEAR_BASELINE + 6.0)
        };
        put!(
            out,
            "<line class=\"{class}\" x1=\"{x}\" y1=\"{}\" x2=\"{x}\" y2=\"{bottom}\"/>",
            num(top),
        );
        month += grid_step;
    }

    if let Some(step) = label_step {
        let mut month = first_multiple(scale.start_month, step);
        while month < scale.end_month {
            let x = scale.x(month_start(month)) + 3.0;
            if x + MONTH_LABEL_WIDTH > chart_right + RIGHT_PAD {
                break;
            }
            put!(
                out,
                "<text class=\"tl-month\" x=\"{}\" y=\"{}\">{}</text>",
                num(x),
                num(MONTH_BASELINE),
                MONTH_NAMES[month.rem_euclid(12) as usize],
            );
            month += step;
        }
    }

    // Januaries on the axis whose year is a multiple of the step, and the
    // opening year at the left edge when the axis does not open on one of
    // them and the label fits before the next.
    let first_year = scale.start_month.div_euclid(12);
    let last_year = (scale.end_month - 1).div_euclid(12);
    let first_january = first_year + i64::from(scale.start_month.rem_euclid(12) != 0);
    let mut year = first_multiple(first_january, year_step);
    if year.saturating_mul(12) != scale.start_month {
        let next_x = scale.x(month_start(year.saturating_mul(12)));
        if next_x - LABEL_WIDTH >= MIN_YEAR_LABEL_SPACING {
            put!(
                out,
                "<text class=\"tl-year\" x=\"{}\" y=\"{}\">{}</text>",
                num(LABEL_WIDTH + 3.0),
                num(YEAR_BASELINE),
                year_text(first_year),
            );
        }
    }
    while year <= last_year {
        let x = scale.x(month_start(year.saturating_mul(12))) + 3.0;
        if x + YEAR_LABEL_WIDTH > chart_right + RIGHT_PAD {
            break;
        }
        put!(
            out,
            "<text class=\"tl-year\" x=\"{}\" y=\"{}\">{}</text>",
            num(x),
            num(YEAR_BASELINE),
            year_text(year),
        );
        year += year_step;
    }
    out.push_str("</g>");
}

/// The band that opens a group.
fn write_group(out: &mut String, label: &str, y: f64, width: f64) {
    let (short, _) = truncate(label, MAX_GROUP_UNITS);
    put!(
        out,
        "<g class=\"tl-group\"><title>{full}</title>\
         <rect x=\"0\" y=\"{y}\" width=\"{w}\" height=\"{h}\"/>\
         <text x=\"6\" y=\"{ty}\">{short}</text></g>",
        full = escape(label),
        y = num(y),
        w = num(width),
        h = num(GROUP_HEIGHT),
        ty = num(y + GROUP_HEIGHT / 2.0 + 4.0),
        short = escape(&short),
    );
}

/// One pilot's row: background, linked title, path line, status flags,
/// slips, done connectors and milestone markers, in that order (markers on
/// top).
fn write_row(out: &mut String, frame: &Frame, row: &TimelineRow, y: f64, alternate: bool) {
    let Frame {
        id,
        width,
        scale,
        today,
    } = *frame;
    let cy = y + ROW_HEIGHT / 2.0;
    put!(
        out,
        "<g class=\"tl-row status-{}\" data-pilot=\"{}\">",
        class_token(&row.status),
        escape(&row.id),
    );
    put!(
        out,
        "<rect class=\"tl-row-bg{}\" x=\"0\" y=\"{}\" width=\"{}\" height=\"{}\"/>",
        if alternate { " alt" } else { "" },
        num(y),
        num(width),
        num(ROW_HEIGHT),
    );

    let (short, _) = truncate(&row.title, MAX_TITLE_UNITS);
    let label = format!(
        "<title>{}</title><text class=\"tl-label\" x=\"{}\" y=\"{}\" \
         clip-path=\"url(#{id}-clip)\">{}</text>",
        escape(&row.title),
        num(LABEL_INDENT),
        num(cy + 4.0),
        escape(&short),
    );
    match safe_href(&row.href) {
        Some(href) => put!(out, "<a href=\"{}\">{label}</a>", escape(href)),
        None => put!(out, "<g>{label}</g>"),
    }

    let mut span: Option<(i64, i64)> = None;
    for m in &row.milestones {
        for date in std::iter::once(m.due).chain(m.done) {
            let d = date.days_since_epoch();
            span = Some(span.map_or((d, d), |(lo, hi)| (lo.min(d), hi.max(d))));
        }
    }
    if let Some((lo, hi)) = span
        && hi > lo
    {
        put!(
            out,
            "<line class=\"tl-line\" x1=\"{}\" y1=\"{cy}\" x2=\"{}\" y2=\"{cy}\"/>",
            num(scale.x(lo)),
            num(scale.x(hi)),
            cy = num(cy),
        );
    }

    for change in &row.status_changes {
        let x = num(scale.x_of(change.date));
        put!(
            out,
            "<path class=\"tl-status status-{}\" d=\"M{x} {top}V{bottom}M{x} {top}l6 3.5l-6 3.5\">\
             <title>status → {} on {}</title></path>",
            class_token(&change.to),
            escape(&change.to),
            change.date,
            top = num(y + 3.0),
            bottom = num(y + ROW_HEIGHT - 3.0),
        );
    }

    for m in &row.milestones {
        for &(from, to) in &m.slips {
            let (x1, x2) = (scale.x_of(from), scale.x_of(to));
            put!(
                out,
                "<g class=\"tl-slip\"><title>{}</title>\
                 <circle cx=\"{}\" cy=\"{}\" r=\"{}\"/>",
                escape(&format!(
                    "{}: due date moved from {from} to {to} ({})",
                    m.name,
                    signed_days(from.days_until(to)),
                )),
                num(x1),
                num(cy),
                num(SLIP_RADIUS),
            );
            if from != to {
                let lift = num(cy - 11.0);
                put!(
                    out,
                    "<path d=\"M{a} {cy}C{a} {lift} {b} {lift} {b} {end}\" \
                     marker-end=\"url(#{id}-arrow)\"/>",
                    a = num(x1),
                    b = num(x2),
                    cy = num(cy - SLIP_RADIUS),
                    end = num(cy - MARKER_RADIUS - 1.0),
                );
            }
            out.push_str("</g>");
        }
    }

    for m in &row.milestones {
        if let Some(done) = m.done
            && done != m.due
        {
            put!(
                out,
                "<line class=\"tl-done-link\" x1=\"{}\" y1=\"{cy}\" x2=\"{}\" y2=\"{cy}\" \
                 stroke-dasharray=\"2 2\"/>",
                num(scale.x_of(m.due)),
                num(scale.x_of(done)),
                cy = num(cy),
            );
        }
    }

    for m in &row.milestones {
        let tip = escape(&milestone_tooltip(&row.title, m, today));
        let due = m.due.days_since_epoch();
        match m.done {
            Some(done) => put!(
                out,
                "<circle class=\"tl-milestone done\" cx=\"{}\" cy=\"{}\" r=\"{}\">\
                 <title>{tip}</title></circle>",
                num(scale.x_of(done)),
                num(cy),
                num(MARKER_RADIUS),
            ),
            None if m.overdue => {
                let (x, r) = (scale.x(due), DIAMOND_RADIUS);
                put!(
                    out,
                    "<path class=\"tl-milestone overdue\" d=\"M{} {}L{} {}L{} {}L{} {}Z\">\
                     <title>{tip}</title></path>",
                    num(x),
                    num(cy - r),
                    num(x + r),
                    num(cy),
                    num(x),
                    num(cy + r),
                    num(x - r),
                    num(cy),
                );
            }
            None => put!(
                out,
                "<circle class=\"tl-milestone\" cx=\"{}\" cy=\"{}\" r=\"{}\">\
                 <title>{tip}</title></circle>",
                num(scale.x(due)),
                num(cy),
                num(MARKER_RADIUS),
            ),
        }
    }
    out.push_str("</g>");
}

/// The tooltip of a milestone marker (unescaped).
fn milestone_tooltip(title: &str, m: &TimelineMilestone, today: i64) -> String {
    let mut tip = format!("{title} · {}: due {}", m.name, m.due);
    match m.done {
        Some(done) => {
            let late = m.due.days_until(done);
            let when = match late {
                0 => "on time".to_string(),
                n if n > 0 => format!("{} late", days(n)),
                n => format!("{} early", days(-n)),
            };
            put!(tip, "; done {done} ({when})");
        }
        None => {
            if m.overdue {
                let overdue = today - m.due.days_since_epoch();
                put!(tip, "; not done, overdue by {}", days(overdue));
            } else {
                tip.push_str("; not done yet");
            }
        }
    }
    if let Some(&(original, _)) = m.slips.first() {
        let moved = original.days_until(m.due);
        let moves = m.slips.len();
        let times = if moves == 1 { "once" } else { "times" };
        let count = if moves == 1 {
            String::new()
        } else {
            format!("{moves} ")
        };
        if moved >= 0 {
            put!(
                tip,
                "; slipped by {} (first due {original}, moved {count}{times})",
                days(moved)
            );
        } else {
            put!(
                tip,
                "; moved earlier by {} (first due {original}, moved {count}{times})",
                days(-moved)
            );
        }
    }
    tip
}

/// Pilots, milestones and their states, for the `<desc>`.
struct Counts {
    pilots: usize,
    milestones: usize,
    done: usize,
    overdue: usize,
    status_changes: usize,
}

impl Counts {
    fn of(rows: &[TimelineRow]) -> Counts {
        let mut counts = Counts {
            pilots: rows.len(),
            milestones: 0,
            done: 0,
            overdue: 0,
            status_changes: 0,
        };
        for row in rows {
            counts.status_changes += row.status_changes.len();
            for m in &row.milestones {
                counts.milestones += 1;
                if m.done.is_some() {
                    counts.done += 1;
                } else if m.overdue {
                    counts.overdue += 1;
                }
            }
        }
        counts
    }

    fn describe(&self, scale: &Scale, today: Date) -> String {
        format!(
            "{} on one time axis from {} to {}: {} ({} done, {} overdue) and {}. Today is {today}.",
            plural(self.pilots, "pilot", "pilots"),
            month_label_date(scale.start_month),
            month_label_date(scale.end_month),
            plural(self.milestones, "milestone", "milestones"),
            self.done,
            self.overdue,
            plural(self.status_changes, "status change", "status changes"),
        )
    }
}

fn days(n: i64) -> String {
    if n == 1 {
        "1 day".to_string()
    } else {
        format!("{n} days")
    }
}

fn signed_days(n: i64) -> String {
    if n >= 0 {
        format!("+{}", days(n))
    } else {
        format!("-{}", days(-n))
    }
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
fn month_index(day: i64) -> i64 {
    let (year, month) = civil_from_days(day);
    year * 12 + month - 1
}

/// The day since the epoch of the first of a month index.
fn month_start(month_index: i64) -> i64 {
    days_from_civil(month_index.div_euclid(12), month_index.rem_euclid(12) + 1)
}

/// `YYYY-MM-01` of a month index, as [`Date`] displays it.
fn month_label_date(month_index: i64) -> String {
    format!(
        "{}-{:02}-01",
        year_text(month_index.div_euclid(12)),
        month_index.rem_euclid(12) + 1
    )
}

fn year_text(year: i64) -> String {
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

    fn date(text: &str) -> Date {
        Date::parse(text).expect("test date")
    }

    /// A milestone of an open pilot, overdue as of 2026-06-01 (the date
    /// most tests draw at) when not done and due before it, as the derived
    /// facts would say.
    fn milestone(name: &str, due: &str, done: Option<&str>) -> TimelineMilestone {
        TimelineMilestone {
            name: name.to_string(),
            due: date(due),
            done: done.map(date),
            overdue: done.is_none() && date(due) < date("2026-06-01"),
            slips: Vec::new(),
        }
    }

    fn row(id: &str, group: &str, milestones: Vec<TimelineMilestone>) -> TimelineRow {
        TimelineRow {
            id: id.to_string(),
            title: format!("Pilot {id}"),
            href: format!("pilots/{id}.html"),
            group: group.to_string(),
            status: "pilot".to_string(),
            milestones,
            status_changes: Vec::new(),
        }
    }

    /// The value of `attr` in the last tag of the first occurrence of `anchor`.
    fn attribute(svg: &str, anchor: &str, attr: &str) -> Option<f64> {
        let at = svg.find(anchor)? + anchor.rfind('<')?;
        let tag = &svg[at..at + svg[at..].find('>')?];
        let needle = format!(" {attr}=\"");
        let from = tag.find(&needle)? + needle.len();
        let len = tag[from..].find('"')?;
        tag[from..from + len].parse().ok()
    }

    fn rows_of(n: usize) -> Vec<TimelineRow> {
        (0..n)
            .map(|i| {
                let mut r = row(
                    &format!("p{i:04}"),
                    &format!("group {}", i / 50),
                    vec![
                        milestone("start", "2026-01-05", Some("2026-01-20")),
                        milestone("decision", "2026-04-01", None),
                        milestone("production", "2026-09-01", None),
                    ],
                );
                r.milestones[1].slips = vec![(date("2026-03-01"), date("2026-04-01"))];
                r.status_changes = vec![TimelineStatusChange {
                    date: date("2026-02-01"),
                    to: "pilot".to_string(),
                }];
                r
            })
            .collect()
    }

    #[test]
    fn empty_input_says_no_milestones() {
        let svg = render(&[], date("2026-06-01"));
        assert!(svg.starts_with("<svg"));
        assert!(svg.ends_with("</svg>"));
        assert!(svg.contains("No milestones yet"));
        assert!(svg.contains("role=\"img\""));
        // Rows without any dated item are empty too.
        let svg = render(&[row("a", "g", Vec::new())], date("2026-06-01"));
        assert!(svg.contains("No milestones yet"));
    }

    #[test]
    fn one_row_has_axis_link_markers_and_today() {
        let rows = [row(
            "ticket-triage",
            "pilot",
            vec![
                milestone("Shadow mode", "2026-05-01", Some("2026-05-10")),
                milestone("Go/no-go", "2026-07-15", None),
            ],
        )];
        let svg = render(&rows, date("2026-06-01"));
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"timeline\""));
        let id = timeline_id(&rows, date("2026-06-01"));
        assert!(svg.contains(&format!("aria-labelledby=\"{id}-title {id}-desc\"")));
        assert!(svg.contains(&format!("<title id=\"{id}-title\">")));
        assert!(svg.contains(&format!("<desc id=\"{id}-desc\">")));
        assert!(svg.contains("<a href=\"pilots/ticket-triage.html\">"));
        assert!(svg.contains("class=\"tl-row status-pilot\""));
        assert!(svg.contains("class=\"tl-group\""));
        assert!(svg.contains("class=\"tl-milestone done\""));
        assert!(svg.contains("class=\"tl-milestone\""));
        assert!(svg.contains("class=\"tl-done-link\""));
        assert!(svg.contains("class=\"tl-line\""));
        assert!(svg.contains("class=\"tl-month\""));
        assert!(svg.contains("class=\"tl-year\""));
        assert!(svg.contains("data-start=\"2026-04-01\""));
        assert!(svg.contains("data-px-per-day=\"2.5\""));
        assert!(svg.contains("1 pilot on one time axis"));
        assert!(svg.contains("2 milestones (1 done, 0 overdue)"));
        assert!(svg.contains("done 2026-05-10 (9 days late)"));
        assert!(!svg.contains("overdue\""));
        // Milestone names appear in tooltips only, never as chart text.
        assert!(!svg.contains(">Shadow mode<"));
        assert!(svg.ends_with("</svg>"));
    }

    #[test]
    fn hostile_text_is_escaped() {
        let mut r = row(
            "x",
            "<b>group</b>",
            vec![milestone(
                "<img src=x onerror=alert(1)>",
                "2026-05-01",
                None,
            )],
        );
        r.title = "<script>alert(\"pwned\")</script> & 'more'".to_string();
        r.status = "pilot\" onload=\"alert(1)".to_string();
        r.href = "javascript:alert(1)".to_string();
        r.status_changes = vec![TimelineStatusChange {
            date: date("2026-04-01"),
            to: "<go>".to_string(),
        }];
        let svg = render(&[r], date("2026-06-01"));
        assert!(!svg.contains("<script"));
        assert!(!svg.contains("<img"));
        assert!(!svg.contains("<b>"));
        assert!(!svg.contains("\"pwned"));
        assert!(!svg.contains("onload=\""));
        assert!(!svg.contains("javascript:"));
        assert!(!svg.contains("'more'"));
        assert!(svg.contains(
            "&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt; &amp; &#39;more&#39;"
        ));
        assert!(svg.contains("status → &lt;go&gt;"));
    }

    #[test]
    fn long_titles_are_truncated_with_the_full_title_in_a_tooltip() {
        let mut r = row("x", "g", vec![milestone("m", "2026-05-01", None)]);
        r.title = "A very long pilot title that goes on and on past the label column".to_string();
        let svg = render(&[r.clone()], date("2026-06-01"));
        assert!(svg.contains(&format!("<title>{}</title>", r.title)));
        assert!(svg.contains("A very long pilot title that goes…<"));
        let (short, units) = truncate("日本語のパイロットの題名はとても長いです", 10);
        assert!(units <= 10);
        assert!(short.ends_with('…'));
    }

    #[test]
    fn overdue_marker_only_when_late_and_not_done() {
        let today = date("2026-06-01");
        let late = [row("a", "g", vec![milestone("m", "2026-05-01", None)])];
        let svg = render(&late, today);
        assert!(svg.contains("class=\"tl-milestone overdue\""));
        assert!(svg.contains("overdue by 31 days"));
        assert!(svg.contains("(0 done, 1 overdue)"));
        // The state is the caller's (derived) fact, not the dates': a
        // closed pilot's milestone past due is drawn and counted planned.
        let mut closed = late.clone();
        closed[0].milestones[0].overdue = false;
        let svg = render(&closed, today);
        assert!(!svg.contains("overdue\""));
        assert!(!svg.contains("overdue by"));
        assert!(svg.contains("(0 done, 0 overdue)"));
        let done = [row(
            "a",
            "g",
            vec![milestone("m", "2026-05-01", Some("2026-05-20"))],
        )];
        let svg = render(&done, today);
        assert!(!svg.contains("overdue\""));
        assert!(svg.contains("class=\"tl-milestone done\""));
        let future = [row("a", "g", vec![milestone("m", "2026-07-01", None)])];
        assert!(!render(&future, today).contains("overdue\""));
        // Due today is not overdue yet.
        let due_today = [row("a", "g", vec![milestone("m", "2026-06-01", None)])];
        assert!(!render(&due_today, today).contains("overdue\""));
    }

    #[test]
    fn slips_and_status_changes_have_tooltips() {
        let mut r = row("a", "g", vec![milestone("Launch", "2026-08-01", None)]);
        r.milestones[0].slips = vec![
            (date("2026-06-01"), date("2026-07-01")),
            (date("2026-07-01"), date("2026-08-01")),
        ];
        r.status_changes = vec![TimelineStatusChange {
            date: date("2026-06-01"),
            to: "pilot".to_string(),
        }];
        let svg = render(&[r], date("2026-06-15"));
        assert!(svg.contains("class=\"tl-slip\""));
        assert!(svg.contains("-arrow)\""));
        assert!(svg.contains("Launch: due date moved from 2026-06-01 to 2026-07-01 (+30 days)"));
        assert!(svg.contains("slipped by 61 days (first due 2026-06-01, moved 2 times)"));
        assert!(svg.contains("<title>status → pilot on 2026-06-01</title>"));
        assert!(svg.contains("class=\"tl-status status-pilot\""));
    }

    #[test]
    fn output_is_deterministic() {
        let rows = rows_of(40);
        let today = date("2026-06-01");
        assert_eq!(render(&rows, today), render(&rows, today));
    }

    #[test]
    fn five_hundred_rows_grow_the_height() {
        let today = date("2026-06-01");
        let small = render(&rows_of(10), today);
        let large = render(&rows_of(500), today);
        let h_small = attribute(&small, "<svg", "height").expect("height");
        let h_large = attribute(&large, "<svg", "height").expect("height");
        assert!(h_large > h_small + 480.0 * ROW_HEIGHT);
        assert_eq!(large.matches("class=\"tl-row ").count(), 500);
        assert_eq!(large.matches("class=\"tl-group\"").count(), 10);
        let ten_thousand = render(&rows_of(10_000), today);
        assert!(ten_thousand.ends_with("</svg>"));
    }

    #[test]
    fn today_line_lies_on_the_axis() {
        let today = date("2026-06-01");
        for rows in [
            rows_of(3),
            vec![row("a", "g", vec![milestone("m", "2019-01-01", None)])],
            vec![row("a", "g", vec![milestone("m", "2031-12-31", None)])],
        ] {
            let svg = render(&rows, today);
            let x = attribute(
                &svg,
                "<g class=\"tl-today\"><title>today 2026-06-01</title><line",
                "x1",
            )
            .expect("today line");
            let width = attribute(&svg, "<svg", "width").expect("width");
            assert!(x >= LABEL_WIDTH, "{x}");
            assert!(x <= width - RIGHT_PAD, "{x} {width}");
            // The x maps back to today through the data attributes.
            let ppd = attribute(&svg, "<svg", "data-px-per-day").expect("ppd");
            let start = svg
                .split("data-start=\"")
                .nth(1)
                .and_then(|s| s.get(..10))
                .map(date)
                .expect("start");
            let expected = LABEL_WIDTH + start.days_until(today) as f64 * ppd;
            assert!((x - expected).abs() < 0.1);
        }
    }

    #[test]
    fn equal_and_far_apart_dates_stay_in_bounds() {
        let today = date("2026-06-01");
        let same = [row(
            "a",
            "g",
            vec![milestone("m", "2026-06-01", Some("2026-06-01"))],
        )];
        let svg = render(&same, today);
        let width = attribute(&svg, "<svg", "width").expect("width");
        assert!(width >= LABEL_WIDTH + 3.0 * 28.0 * PX_PER_DAY);
        assert!(!svg.contains("tl-done-link"));

        let far = [row(
            "a",
            "g",
            vec![
                milestone("m", "0001-01-01", None),
                milestone("n", "9999-12-31", Some("9999-12-31")),
            ],
        )];
        let svg = render(&far, today);
        let width = attribute(&svg, "<svg", "width").expect("width");
        assert!(width <= LABEL_WIDTH + MAX_CHART_WIDTH + RIGHT_PAD + 1.0);
        assert!(svg.matches("class=\"tl-year\"").count() < 400);
        assert!(
            svg.matches("class=\"tl-grid").count()
                <= 1 + (MAX_CHART_WIDTH / MIN_GRID_SPACING) as usize
        );
        assert!(!svg.contains("NaN") && !svg.contains("inf"));

        // Dates the parser never yields, but the type allows.
        let extreme = [row(
            "a",
            "g",
            vec![
                milestone("m", "2026-01-01", None),
                TimelineMilestone {
                    name: "far".to_string(),
                    due: Date::new(i32::MAX, 12, 31).expect("date"),
                    done: Date::new(i32::MIN, 1, 1),
                    overdue: false,
                    slips: Vec::new(),
                },
            ],
        )];
        assert!(render(&extreme, today).ends_with("</svg>"));
    }

    #[test]
    fn month_labels_never_overlap() {
        for (first, last) in [
            ("2026-01-01", "2026-03-01"),
            ("2020-01-01", "2030-01-01"),
            ("1900-01-01", "2100-01-01"),
        ] {
            let rows = [row(
                "a",
                "g",
                vec![milestone("m", first, None), milestone("n", last, None)],
            )];
            let svg = render(&rows, date(first));
            for class in ["tl-month", "tl-year"] {
                let tag = format!("<text class=\"{class}\" x=\"");
                let xs: Vec<f64> = svg
                    .split(tag.as_str())
                    .skip(1)
                    .filter_map(|s| s.split('"').next()?.parse().ok())
                    .collect();
                for pair in xs.windows(2) {
                    assert!(pair[1] - pair[0] >= 30.0, "{class} {pair:?}");
                }
            }
        }
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

    #[test]
    fn unsafe_links_are_dropped() {
        assert_eq!(safe_href("pilots/a.html"), Some("pilots/a.html"));
        assert_eq!(safe_href("../a.html#x:y"), Some("../a.html#x:y"));
        assert_eq!(
            safe_href("https://example.com"),
            Some("https://example.com")
        );
        assert_eq!(safe_href("JavaScript:alert(1)"), None);
        assert_eq!(safe_href("data:text/html,x"), None);
        assert_eq!(safe_href(""), None);
    }

    #[test]
    fn two_timelines_on_one_page_have_distinct_ids() {
        let today = date("2026-06-01");
        let by_status = rows_of(4);
        let mut by_owner = by_status.clone();
        for (i, r) in by_owner.iter_mut().enumerate() {
            r.group = format!("owner {}", i % 2);
        }
        by_owner.sort_by(|a, b| a.group.cmp(&b.group).then(a.title.cmp(&b.title)));
        let ids = |svg: &str| -> Vec<String> {
            svg.split(" id=\"")
                .skip(1)
                .filter_map(|s| s.split('"').next().map(str::to_string))
                .collect()
        };
        let (a, b) = (render(&by_status, today), render(&by_owner, today));
        let (ids_a, ids_b) = (ids(&a), ids(&b));
        assert_eq!(ids_a.len(), 4);
        assert!(ids_a.iter().all(|id| !ids_b.contains(id)));
        // Every reference points inside its own SVG.
        for (svg, own) in [(&a, &ids_a), (&b, &ids_b)] {
            for reference in svg.split("url(#").skip(1) {
                let target = reference.split(')').next().unwrap_or_default();
                assert!(own.iter().any(|id| id == target), "{target}");
            }
        }
    }
}
