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
//! This file holds the input, the texts (tooltips, description) and the
//! markup; `layout.rs` holds where things go, one pure function per phase
//! over the rows and numbers. Markup goes through `svg.rs`'s one writer,
//! which escapes every value, so the drawing is its layout walked once. The
//! module sees no template, no model type but [`Date`], and it does no I/O.
//! Styling is left to the site's stylesheet through CSS classes (no colour
//! is written here), and the same input gives byte-identical output. The
//! SVG's ids (title, description, arrow marker, label clip) carry a hash of
//! the input, so two timelines on one page (by status, by owner) never share
//! one.

mod layout;

use crate::svg::{SvgWriter, class_token, escape, num, path_data, plural, safe_href, truncate};
use layout::{
    Axis, GROUP_HEIGHT, LABEL_WIDTH, Layout, Line, Marker, MarkerState, PX_PER_DAY, ROW_HEIGHT,
    RowMarks, SLIP_RADIUS, Scale, Shape, TodayLine, month_label_date, year_text,
};
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
    /// The days it is overdue, when it is (the derived fact: not done,
    /// past due, and the pilot still open); drawn as a diamond.
    pub overdue_days: Option<i64>,
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

/// Titles longer than this (in narrow-character units) get an ellipsis.
const MAX_TITLE_UNITS: usize = 36;
const MAX_GROUP_UNITS: usize = 60;

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
    let mut out = Vec::new();
    // Writing to a Vec cannot fail.
    let _ = render_to(&mut out, rows, today);
    String::from_utf8_lossy(&out).into_owned()
}

/// Bytes of markup held before they are handed to the writer.
const CHUNK: usize = 64 << 10;

/// [`render`], written to `out` a chunk at a time: at 10,000 pilots the
/// drawing is tens of megabytes, and it is never held whole.
pub fn render_to(
    out: &mut dyn std::io::Write,
    rows: &[TimelineRow],
    today: Date,
) -> std::io::Result<()> {
    let id = timeline_id(rows, today);
    let Some(layout) = layout::layout(rows, today) else {
        return out.write_all(render_empty(&id, today).as_bytes());
    };
    let mut svg = SvgWriter::with_capacity(2 * CHUNK);
    let desc = Counts::of(rows).describe(&layout.scale, today);
    open_svg(&mut svg, &id, &layout, &desc);
    write_axis(&mut svg, &layout.axis);
    for line in &layout.lines {
        match line {
            Line::Group { row, y } => write_group(&mut svg, &rows[*row].group, *y, layout.width),
            Line::Row(marks) => {
                write_row(&mut svg, &id, (&rows[marks.row], marks), layout.width);
            }
        }
        if svg.len() > CHUNK {
            out.write_all(svg.take().as_bytes())?;
        }
    }
    write_today(&mut svg, &layout.today, today);
    svg.close("svg");
    out.write_all(svg.finish().as_bytes())
}

/// The timeline as an HTML list, for narrow screens (the page shows it in
/// place of the chart under 600 px): the rows' groups in drawing order,
/// each pilot with its milestones (date, name, state) in date order.
/// `root` prefixes the pilots' links. Written straight to a string: at
/// 10,000 pilots it is megabytes, and no tree of values is built for it.
pub fn render_list(rows: &[TimelineRow], root: &str) -> String {
    let mut out = Vec::new();
    // Writing to a Vec cannot fail.
    let _ = render_list_to(&mut out, rows, root);
    String::from_utf8_lossy(&out).into_owned()
}

/// [`render_list`], written to `sink` a chunk at a time.
pub fn render_list_to(
    sink: &mut dyn std::io::Write,
    rows: &[TimelineRow],
    root: &str,
) -> std::io::Result<()> {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(2 * CHUNK);
    out.push_str("<ul class=\"tl-list\">\n");
    let mut group: Option<&str> = None;
    for row in rows {
        if out.len() > CHUNK {
            sink.write_all(out.as_bytes())?;
            out.clear();
        }
        if group != Some(row.group.as_str()) {
            if group.is_some() {
                out.push_str("</ul></li>\n");
            }
            group = Some(&row.group);
            let _ = writeln!(
                out,
                "<li><h2>{}</h2><ul class=\"tl-pilots\">",
                escape(&row.group)
            );
        }
        let title = escape(&row.title);
        match safe_href(&row.href) {
            Some(href) => {
                let _ = write!(
                    out,
                    "<li><a href=\"{}{}\">{title}</a>",
                    escape(root),
                    escape(href)
                );
            }
            None => {
                let _ = write!(out, "<li>{title}");
            }
        }
        let status = escape(&row.status);
        let _ = write!(
            out,
            " <span class=\"status status-{}\">{status}</span>",
            class_token(&row.status)
        );
        let mut milestones: Vec<&TimelineMilestone> = row.milestones.iter().collect();
        milestones.sort_by_key(|m| m.done.unwrap_or(m.due));
        if !milestones.is_empty() {
            out.push_str("<ol>");
            for m in milestones {
                let state = match MarkerState::of(m) {
                    MarkerState::Done => "done",
                    MarkerState::Overdue => "overdue",
                    _ => "planned",
                };
                let date = m.done.unwrap_or(m.due);
                let slipped = if m.slips.is_empty() { "" } else { ", slipped" };
                let _ = write!(
                    out,
                    "<li class=\"m-{state}\"><time datetime=\"{date}\">{date}</time>{} <span class=\"state\">({state}{slipped})</span></li>",
                    escape(&m.name)
                );
            }
            out.push_str("</ol>");
        }
        out.push_str("</li>\n");
    }
    if group.is_some() {
        out.push_str("</ul></li>\n");
    }
    out.push_str("</ul>\n");
    sink.write_all(out.as_bytes())
}

/// The small SVG for a portfolio without any dated item.
fn render_empty(id: &str, today: Date) -> String {
    let mut svg = SvgWriter::with_capacity(512);
    svg.open("svg")
        .attr("xmlns", "http://www.w3.org/2000/svg")
        .attr("class", "timeline empty")
        .attr("role", "img")
        .attr("aria-labelledby", &format!("{id}-title {id}-desc"))
        .attr("width", "320")
        .attr("height", "60")
        .attr("viewBox", "0 0 320 60")
        .attr("data-start", &today.to_string())
        .attr("data-px-per-day", &PX_PER_DAY.to_string())
        .attr("data-x0", "0")
        .end();
    svg.leaf(
        "title",
        &[("id", &format!("{id}-title"))],
        "Production-path timeline",
    );
    svg.leaf(
        "desc",
        &[("id", &format!("{id}-desc"))],
        "No milestones yet.",
    );
    svg.leaf(
        "text",
        &[("class", "tl-empty"), ("x", "16"), ("y", "34")],
        "No milestones yet",
    );
    svg.close("svg");
    svg.finish()
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

/// The `<svg>` element's opening with its scale, accessible title and
/// description, the slip arrowhead and the label column's clip.
fn open_svg(svg: &mut SvgWriter, id: &str, layout: &Layout, desc: &str) {
    let (width, height) = (layout.width, layout.height);
    svg.open("svg")
        .attr("xmlns", "http://www.w3.org/2000/svg")
        .attr("class", "timeline")
        // A group, not an image: its rows are links (axe: nested-interactive).
        .attr("role", "group")
        .attr("aria-labelledby", &format!("{id}-title {id}-desc"))
        .num("width", width)
        .num("height", height)
        .attr("viewBox", &format!("0 0 {} {}", num(width), num(height)))
        .attr("data-start", &month_label_date(layout.scale.start_month))
        .attr("data-px-per-day", &layout.scale.px_per_day.to_string())
        .num("data-x0", LABEL_WIDTH)
        .end();
    let title_id = format!("{id}-title");
    svg.leaf("title", &[("id", &title_id)], "Production-path timeline");
    svg.leaf("desc", &[("id", &format!("{id}-desc"))], desc);
    svg.open("defs").end();
    svg.open("marker")
        .attr("id", &format!("{id}-arrow"))
        .attr("viewBox", "0 0 10 10")
        .attr("refX", "10")
        .attr("refY", "5")
        .attr("markerWidth", "6")
        .attr("markerHeight", "6")
        .attr("markerUnits", "userSpaceOnUse")
        .attr("orient", "auto")
        .end();
    svg.open("path")
        .attr("class", "tl-arrow")
        .attr("d", "M0 0L10 5L0 10Z")
        .end_empty();
    svg.close("marker");
    svg.open("clipPath").attr("id", &format!("{id}-clip")).end();
    svg.open("rect")
        .num("x", 0.0)
        .num("y", 0.0)
        .num("width", LABEL_WIDTH - 8.0)
        .num("height", height)
        .end_empty();
    svg.close("clipPath");
    svg.close("defs");
}

/// Grid lines, month labels and year labels.
fn write_axis(svg: &mut SvgWriter, axis: &Axis) {
    svg.open("g").attr("class", "tl-axis").end();
    let (x1, x2, y) = axis.baseline;
    svg.open("line").attr("class", "tl-baseline");
    svg.num("x1", x1).num("y1", y).num("x2", x2).num("y2", y);
    svg.end_empty();
    for line in &axis.grid {
        let class = if line.january {
            "tl-grid year"
        } else {
            "tl-grid"
        };
        svg.open("line").attr("class", class).num("x1", line.x);
        svg.num("y1", line.top)
            .num("x2", line.x)
            .num("y2", axis.grid_bottom);
        svg.end_empty();
    }
    for &(x, name) in &axis.months {
        let (x, y) = (num(x), num(axis.month_y));
        svg.leaf("text", &[("class", "tl-month"), ("x", &x), ("y", &y)], name);
    }
    for &(x, year) in &axis.years {
        let (x, y) = (num(x), num(axis.year_y));
        let attrs = [("class", "tl-year"), ("x", &x), ("y", &y)];
        svg.leaf("text", &attrs, &year_text(year));
    }
    // The name column's header: an opaque cell the page's script keeps at
    // the left edge, so month labels pass under it as the axis scrolls.
    svg.open("g").attr("class", "tl-name").end();
    svg.open("rect")
        .attr("class", "tl-name-bg")
        .num("x", 0.0)
        .num("y", 0.0)
        .num("width", LABEL_WIDTH - 8.0)
        .num("height", axis.baseline.2)
        .end_empty();
    svg.close("g");
    svg.close("g");
}

/// The band that opens a group.
fn write_group(svg: &mut SvgWriter, label: &str, y: f64, width: f64) {
    let (short, _) = truncate(label, MAX_GROUP_UNITS);
    svg.open("g").attr("class", "tl-group").end();
    svg.leaf("title", &[], label);
    svg.open("rect")
        .num("x", 0.0)
        .num("y", y)
        .num("width", width);
    svg.num("height", GROUP_HEIGHT).end_empty();
    let (x, ty) = (num(6.0), num(y + GROUP_HEIGHT / 2.0 + 4.0));
    svg.leaf("text", &[("x", &x), ("y", &ty)], &short);
    svg.close("g");
}

/// One pilot's row: background, linked title, path line, status flags,
/// slips, done connectors and milestone markers, in that order (markers on
/// top).
fn write_row(svg: &mut SvgWriter, id: &str, (row, marks): (&TimelineRow, &RowMarks), width: f64) {
    svg.open("g")
        .attr(
            "class",
            &format!("tl-row status-{}", class_token(&row.status)),
        )
        .attr("data-pilot", &row.id)
        .end();
    let background = if marks.alternate {
        "tl-row-bg alt"
    } else {
        "tl-row-bg"
    };
    svg.open("rect").attr("class", background).num("x", 0.0);
    svg.num("y", marks.y)
        .num("width", width)
        .num("height", ROW_HEIGHT)
        .end_empty();
    // The status the pilot was in, as a band along the row, under the marks.
    for &(change, x1, x2) in &marks.status_bands {
        let status = &row.status_changes[change].to;
        svg.open("rect")
            .attr("class", &format!("tl-band status-{}", class_token(status)))
            .num("x", x1)
            .num("y", marks.cy + 5.0)
            .num("width", x2 - x1)
            .num("height", 4.0)
            .end_empty();
    }
    if let Some((x1, x2)) = marks.path_line {
        write_line(svg, "tl-line", (x1, x2), marks.cy);
        svg.end_empty();
    }
    for (change, flag) in row.status_changes.iter().zip(&marks.status_flags) {
        let class = format!("tl-status status-{}", class_token(&change.to));
        svg.open("path")
            .attr("class", &class)
            .attr("d", &path_data(flag))
            .end();
        let tip = format!("status → {} on {}", change.to, change.date);
        svg.leaf("title", &[], &tip);
        svg.close("path");
    }
    write_slips(svg, id, row, marks);
    for &xs in &marks.done_links {
        write_line(svg, "tl-done-link", xs, marks.cy);
        svg.attr("stroke-dasharray", "2 2").end_empty();
    }
    for (m, marker) in row.milestones.iter().zip(&marks.markers) {
        write_marker(svg, marker, &milestone_tooltip(&row.title, m));
    }
    // The name last, over an opaque cell: the page's script keeps it in
    // view while the axis scrolls, over the marks it passes.
    svg.open("g").attr("class", "tl-name").end();
    let cell = if marks.alternate {
        "tl-name-bg alt"
    } else {
        "tl-name-bg"
    };
    svg.open("rect")
        .attr("class", cell)
        .num("x", 0.0)
        .num("y", marks.y)
        .num("width", LABEL_WIDTH - 8.0)
        .num("height", ROW_HEIGHT)
        .end_empty();
    write_label(svg, id, row, marks.label);
    svg.close("g");
    svg.close("g");
}

/// The title, truncated and clipped to the label column, in a link to the
/// pilot's page when the link is safe.
fn write_label(svg: &mut SvgWriter, id: &str, row: &TimelineRow, (x, y): (f64, f64)) {
    let href = safe_href(&row.href);
    match href {
        Some(href) => svg.open("a").attr("href", href).end(),
        None => svg.open("g").end(),
    }
    svg.leaf("title", &[], &row.title);
    let (short, _) = truncate(&row.title, MAX_TITLE_UNITS);
    svg.open("text")
        .attr("class", "tl-label")
        .num("x", x)
        .num("y", y);
    svg.attr("clip-path", &format!("url(#{id}-clip)")).end();
    svg.text(&short);
    svg.close("text");
    svg.close(if href.is_some() { "a" } else { "g" });
}

/// The start of a level `<line>` from `x1` to `x2` at `y`; more attributes
/// may follow.
fn write_line(svg: &mut SvgWriter, class: &str, (x1, x2): (f64, f64), y: f64) {
    svg.open("line")
        .attr("class", class)
        .num("x1", x1)
        .num("y1", y);
    svg.num("x2", x2).num("y2", y);
}

/// Earlier due dates: a faint marker with a tooltip and an arrow to the
/// next date.
fn write_slips(svg: &mut SvgWriter, id: &str, row: &TimelineRow, marks: &RowMarks) {
    for slip in &marks.slips {
        let m = &row.milestones[slip.milestone];
        let (from, to) = m.slips[slip.slip];
        svg.open("g").attr("class", "tl-slip").end();
        let moved = signed_days(from.days_until(to));
        let tip = format!("{}: due date moved from {from} to {to} ({moved})", m.name);
        svg.leaf("title", &[], &tip);
        svg.open("circle").num("cx", slip.x).num("cy", marks.cy);
        svg.num("r", SLIP_RADIUS).end_empty();
        if let Some(arrow) = &slip.arrow {
            svg.open("path")
                .attr("d", &path_data(arrow))
                .attr("marker-end", &format!("url(#{id}-arrow)"))
                .end_empty();
        }
        svg.close("g");
    }
}

/// A milestone's marker with its tooltip.
fn write_marker(svg: &mut SvgWriter, marker: &Marker, tip: &str) {
    let class = match marker.state {
        MarkerState::Done => "tl-milestone done",
        MarkerState::Overdue => "tl-milestone overdue",
        MarkerState::Planned => "tl-milestone",
    };
    let element = match &marker.shape {
        &Shape::Circle(cx, cy, r) => {
            svg.open("circle").attr("class", class).num("cx", cx);
            svg.num("cy", cy).num("r", r).end();
            "circle"
        }
        Shape::Diamond(steps) => {
            svg.open("path").attr("class", class);
            svg.attr("d", &path_data(&steps[..])).end();
            "path"
        }
    };
    svg.leaf("title", &[], tip);
    svg.close(element);
}

/// The today line over all rows, with its label.
fn write_today(svg: &mut SvgWriter, line: &TodayLine, today: Date) {
    let label = format!("today {today}");
    svg.open("g").attr("class", "tl-today").end();
    svg.leaf("title", &[], &label);
    svg.open("line").num("x1", line.x).num("y1", line.top);
    svg.num("x2", line.x).num("y2", line.bottom).end_empty();
    let (x, y) = (num(line.label.0), num(line.label.1));
    let attrs = [("x", x.as_str()), ("y", &y), ("text-anchor", line.anchor)];
    svg.leaf("text", &attrs, &label);
    svg.close("g");
}

/// The tooltip of a milestone marker (plain text; the writer escapes it).
fn milestone_tooltip(title: &str, m: &TimelineMilestone) -> String {
    let mut tip = format!("{title} · {}: due {}", m.name, m.due);
    match (MarkerState::of(m), m.done) {
        (MarkerState::Done, Some(done)) => {
            let when = match m.due.days_until(done) {
                0 => "on time".to_string(),
                n if n > 0 => format!("{} late", days(n)),
                n => format!("{} early", days(-n)),
            };
            tip.push_str(&format!("; done {done} ({when})"));
        }
        (MarkerState::Overdue, _) => {
            let late = days(m.overdue_days.unwrap_or_default());
            tip.push_str(&format!("; not done, overdue by {late}"));
        }
        _ => tip.push_str("; not done yet"),
    }
    if let Some(&(original, _)) = m.slips.first() {
        tip.push_str(&slip_summary(
            original.days_until(m.due),
            original,
            m.slips.len(),
        ));
    }
    tip
}

/// "; slipped by 61 days (first due 2026-06-01, moved 2 times)".
fn slip_summary(moved: i64, original: Date, moves: usize) -> String {
    let times = if moves == 1 {
        "once".to_string()
    } else {
        format!("{moves} times")
    };
    let (how, by) = if moved >= 0 {
        ("slipped", moved)
    } else {
        ("moved earlier", -moved)
    };
    format!(
        "; {how} by {} (first due {original}, moved {times})",
        days(by)
    )
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
                match MarkerState::of(m) {
                    MarkerState::Done => counts.done += 1,
                    MarkerState::Overdue => counts.overdue += 1,
                    MarkerState::Planned => {}
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

#[cfg(test)]
mod tests {
    use super::layout::{MAX_CHART_WIDTH, MIN_GRID_SPACING, RIGHT_PAD};
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
            overdue_days: (done.is_none() && date(due) < date("2026-06-01"))
                .then(|| date(due).days_until(date("2026-06-01"))),
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

    /// A writer that keeps each write apart.
    #[derive(Default)]
    struct Writes(Vec<Vec<u8>>);

    impl std::io::Write for Writes {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.push(buf.to_vec());
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn large_drawings_are_written_a_chunk_at_a_time_and_lose_nothing() {
        let rows: Vec<TimelineRow> = (0..3000)
            .map(|i| {
                let group = if i % 2 == 0 { "pilot" } else { "go" };
                row(
                    &format!("p{i}"),
                    group,
                    vec![milestone("m", "2026-07-01", None)],
                )
            })
            .collect();
        let today = date("2026-06-01");
        for (list, whole) in [
            (false, render(&rows, today)),
            (true, render_list(&rows, "")),
        ] {
            let mut writes = Writes::default();
            let written = match list {
                false => render_to(&mut writes, &rows, today),
                true => render_list_to(&mut writes, &rows, ""),
            };
            written.expect("writes to memory");
            assert!(writes.0.len() > 4, "list {list}: {} writes", writes.0.len());
            assert!(writes.0.iter().all(|w| w.len() < 2 * CHUNK), "list {list}");
            let joined = String::from_utf8(writes.0.concat()).expect("utf-8");
            assert_eq!(joined, whole, "list {list}");
            for i in [0, 1499, 2999] {
                let title = format!(">Pilot p{i}<");
                assert!(joined.contains(&title), "list {list}: {title}");
            }
        }
    }

    #[test]
    fn the_list_groups_pilots_and_escapes_what_documents_write() {
        let mut hostile = row(
            "x",
            "pilot",
            vec![milestone("<b>m</b>", "2026-05-01", None)],
        );
        hostile.title = "<script>alert(1)</script>".into();
        hostile.href = "javascript:alert(1)".into();
        let rows = [
            row(
                "a",
                "pilot",
                vec![
                    milestone("late", "2026-01-01", None),
                    milestone("first", "2025-12-01", Some("2025-12-01")),
                ],
            ),
            hostile,
            row("c", "go", Vec::new()),
        ];
        let html = render_list(&rows, "../");
        assert_eq!(html.matches("<h2>").count(), 2, "{html}");
        assert!(
            html.contains("<a href=\"../pilots/a.html\">Pilot a</a>"),
            "{html}"
        );
        let first = html.find("first").expect("first");
        assert!(
            first < html.find("late").expect("late"),
            "in date order: {html}"
        );
        assert!(html.contains("class=\"m-done\""), "{html}");
        assert!(
            !html.contains("<script>") && !html.contains("javascript:"),
            "{html}"
        );
        assert!(
            html.contains("&lt;script&gt;") && html.contains("&lt;b&gt;m&lt;/b&gt;"),
            "{html}"
        );
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
        assert!(svg.contains("role=\"img\""), "no links: an image");
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
        assert!(svg.contains("role=\"group\""), "links inside: a group");
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
        closed[0].milestones[0].overdue_days = None;
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
        assert!(
            svg.contains("class=\"tl-band status-pilot\""),
            "a band for the status"
        );
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
                    overdue_days: None,
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
