//! A metric's actuals over time, as a small SVG line chart for the metric
//! page: one point per value the pilot's document gave `actual` in its
//! history, placed by the commit's date, with the target as a dashed line
//! when it is a number in the same unit. Layout (positions) and markup are
//! one short function each.

use crate::svg::{SvgWriter, num};
use pilotbook_core::model::Date;

const WIDTH: f64 = 160.0;
const HEIGHT: f64 = 44.0;
const PAD: f64 = 5.0;

/// One measured value: when it was committed, the number, and the text as
/// written (`82%`).
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    /// The commit's date.
    pub date: Date,
    /// The number.
    pub value: f64,
    /// As written.
    pub text: String,
}

/// The points' positions in a `WIDTH`×`HEIGHT` box, and the target's y:
/// dates left to right, values bottom to top over their range (and the
/// target's), a flat line in the middle when every value is the same.
fn layout(points: &[Point], target: Option<f64>) -> (Vec<(f64, f64)>, Option<f64>) {
    let days: Vec<i64> = points.iter().map(|p| p.date.days_since_epoch()).collect();
    let (d0, d1) = (
        days.iter().min().copied().unwrap_or(0),
        days.iter().max().copied().unwrap_or(0),
    );
    let values = points.iter().map(|p| p.value).chain(target);
    let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    let x = |d: i64| match d1 - d0 {
        0 => WIDTH / 2.0,
        span => PAD + (d - d0) as f64 / span as f64 * (WIDTH - 2.0 * PAD),
    };
    let y = |v: f64| {
        if hi - lo <= f64::EPSILON {
            HEIGHT / 2.0
        } else {
            HEIGHT - PAD - (v - lo) / (hi - lo) * (HEIGHT - 2.0 * PAD)
        }
    };
    let at = days
        .iter()
        .zip(points)
        .map(|(&d, p)| (x(d), y(p.value)))
        .collect();
    (at, target.map(y))
}

/// The chart, or `None` with fewer than two points (nothing moved).
pub fn render(points: &[Point], target: Option<f64>) -> Option<String> {
    if points.len() < 2 {
        return None;
    }
    let (at, target_y) = layout(points, target);
    let said: Vec<String> = points
        .iter()
        .map(|p| format!("{} on {}", p.text, p.date))
        .collect();
    let label = format!("Actual over time: {}", said.join(", "));
    let mut svg = SvgWriter::with_capacity(256 + points.len() * 96);
    svg.open("svg")
        .attr("xmlns", "http://www.w3.org/2000/svg")
        .attr("class", "sparkline")
        .attr("role", "img")
        .attr("aria-label", &label)
        .num("width", WIDTH)
        .num("height", HEIGHT)
        .attr("viewBox", &format!("0 0 {} {}", num(WIDTH), num(HEIGHT)))
        .end();
    if let Some(ty) = target_y {
        svg.open("line")
            .attr("class", "spark-target")
            .num("x1", 0.0)
            .num("y1", ty);
        svg.num("x2", WIDTH).num("y2", ty).end_empty();
    }
    let line: Vec<String> = at
        .iter()
        .map(|(x, y)| format!("{},{}", num(*x), num(*y)))
        .collect();
    svg.open("polyline")
        .attr("class", "spark-line")
        .attr("points", &line.join(" "))
        .end_empty();
    for ((x, y), said) in at.iter().zip(&said) {
        svg.open("circle")
            .attr("class", "spark-point")
            .num("cx", *x)
            .num("cy", *y);
        svg.num("r", 2.5).end();
        svg.leaf("title", &[], said);
        svg.close("circle");
    }
    svg.close("svg");
    Some(svg.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(date: &str, value: f64) -> Point {
        Point {
            date: Date::parse(date).expect("date"),
            value,
            text: format!("{value}%"),
        }
    }

    #[test]
    fn points_by_date_and_value_with_the_target() {
        let points = [
            point("2026-01-01", 70.0),
            point("2026-01-11", 80.0),
            point("2026-01-21", 90.0),
        ];
        let (at, target) = layout(&points, Some(90.0));
        assert_eq!(
            at[0],
            (PAD, HEIGHT - PAD),
            "earliest and lowest: bottom left"
        );
        assert_eq!(at[2], (WIDTH - PAD, PAD), "latest and highest: top right");
        assert_eq!(at[1].0, WIDTH / 2.0);
        assert_eq!(target, Some(PAD));
        let svg = render(&points, Some(90.0)).expect("chart");
        assert!(svg.contains("aria-label=\"Actual over time: 70% on 2026-01-01, 80% on 2026-01-11, 90% on 2026-01-21\""), "{svg}");
        assert_eq!(svg.matches("<circle").count(), 3);
        assert!(svg.contains("class=\"spark-target\""));
        assert!(
            render(&points[..1], None).is_none(),
            "one value did not move"
        );
    }

    #[test]
    fn a_flat_series_and_one_day_sit_in_the_middle() {
        let points = [point("2026-01-01", 5.0), point("2026-01-01", 5.0)];
        let (at, _) = layout(&points, None);
        assert_eq!(at, [(WIDTH / 2.0, HEIGHT / 2.0); 2]);
    }
}
