// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! Zones and lines of a [`ZoneConfig`] drawn with their counts (rsoverlay
//! `zones-config`): zones as yellow outlines with `name: <occupancy>`,
//! exclude zones dashed grey, lines cyan with `name fwd N back M` at their
//! start.

use super::{Canvas, Rgb};
use crate::zones::ZoneConfig;
use std::collections::BTreeMap;

pub const ZONE_COLOUR: Rgb = Rgb(255, 220, 0);
pub const EXCLUDE_COLOUR: Rgb = Rgb(128, 128, 128);
pub const LINE_COLOUR: Rgb = Rgb(0, 230, 255);

/// Counts to print: crossings per line (forward, backward) and the current
/// occupancy per zone (all classes).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ZoneCounts {
    pub lines: BTreeMap<String, (u64, u64)>,
    pub occupancy: BTreeMap<String, u64>,
}

/// Draws `cfg` (normalized coordinates scaled to the canvas) with `counts`;
/// `thickness` and `text_scale` in pixels (at least 1).
pub fn draw_zones(
    canvas: &mut Canvas<'_, '_>,
    cfg: &ZoneConfig,
    counts: &ZoneCounts,
    thickness: u32,
    text_scale: u32,
) {
    let (sx, sy) = if cfg.normalized {
        (canvas.width() as f32, canvas.height() as f32)
    } else {
        (1.0, 1.0)
    };
    let p = |q: (f32, f32)| (q.0 * sx, q.1 * sy);
    let t = thickness.max(1);
    for z in &cfg.zones {
        let colour = if z.exclude {
            EXCLUDE_COLOUR
        } else {
            ZONE_COLOUR
        };
        let n = z.polygon.len();
        for i in 0..n {
            let (a, b) = (p(z.polygon[i]), p(z.polygon[(i + 1) % n]));
            if z.exclude {
                canvas.dashed_line(a.0, a.1, b.0, b.1, t, 4 * t, colour);
            } else {
                canvas.line(a.0, a.1, b.0, b.1, t, colour);
            }
        }
        if !z.exclude {
            let (x, y) = p(z.polygon[0]);
            let occ = counts.occupancy.get(&z.name).copied().unwrap_or(0);
            canvas.text(
                x as i64 + t as i64,
                y as i64 + t as i64,
                &format!("{}: {}", z.name, occ),
                text_scale,
                Rgb(0, 0, 0),
                Some(colour),
            );
        }
    }
    for l in &cfg.lines {
        let (a, b) = (p(l.a), p(l.b));
        canvas.line(a.0, a.1, b.0, b.1, t, LINE_COLOUR);
        let (f, k) = counts.lines.get(&l.name).copied().unwrap_or((0, 0));
        let label = format!(
            "{} {} {} {} {}",
            l.name, l.directions.0, f, l.directions.1, k
        );
        canvas.text(
            a.0 as i64 + t as i64,
            a.1 as i64 - 10 * i64::from(text_scale.max(1)),
            &label,
            text_scale,
            Rgb(0, 0, 0),
            Some(LINE_COLOUR),
        );
    }
}
