//! Where things go on the security map: a layered grid layout.
//!
//! Each region (the cluster-wide objects, a namespace, the cloud) lays its elements out
//! in columns by layer — entry points on the left (services, ingresses), then
//! workloads, identities, permission sets, targets (secrets, cluster-admin) and nodes —
//! so that attack paths read left to right as they do in the attack path pages. A
//! layer with many elements wraps into several columns. Regions are then packed in
//! shelves inside the cluster's frame, the internet to its left and the cloud to its
//! right. Deterministic and linear in the number of elements; there is no crossing
//! minimisation (a Sugiyama layout such as rust-sugiyama's has not been tried).

/// Width and height of one element's box.
pub const BOX_W: f64 = 176.0;
pub const BOX_H: f64 = 28.0;
/// Horizontal and vertical pitch of the grid.
pub const COL_W: f64 = 200.0;
pub const ROW_H: f64 = 38.0;
/// Elements per column before a layer wraps into another column.
pub const ROWS_PER_COLUMN: usize = 16;
/// Room above a region's first row for its title.
pub const HEADER: f64 = 30.0;
pub const PAD: f64 = 14.0;
/// Gap between regions and around the cluster's frame.
pub const GAP: f64 = 24.0;

/// A region to lay out: the layer of each of its elements, in drawing order.
#[derive(Clone, Debug, Default)]
pub struct RegionInput {
    pub layers: Vec<usize>,
}

/// A placed rectangle.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Rect {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

impl Rect {
    /// Whether two rectangles share any interior point.
    pub fn overlaps(&self, o: &Rect) -> bool {
        self.x < o.x + o.w && o.x < self.x + self.w && self.y < o.y + o.h && o.y < self.y + self.h
    }

    /// Whether `o` lies within this rectangle.
    pub fn contains(&self, o: &Rect) -> bool {
        o.x >= self.x
            && o.y >= self.y
            && o.x + o.w <= self.x + self.w
            && o.y + o.h <= self.y + self.h
    }
}

/// A region laid out on its own, at the origin: its size and its elements' boxes.
fn place_region(region: &RegionInput) -> (f64, f64, Vec<Rect>) {
    let max_layer = region.layers.iter().copied().max().unwrap_or(0);
    // Elements per layer, then the first column of each layer.
    let mut per_layer = vec![0usize; max_layer + 1];
    for &l in &region.layers {
        per_layer[l] += 1;
    }
    let mut first_column = vec![0usize; max_layer + 1];
    let mut columns = 0;
    for (l, &n) in per_layer.iter().enumerate() {
        first_column[l] = columns;
        columns += n.div_ceil(ROWS_PER_COLUMN);
    }
    let rows = per_layer
        .iter()
        .map(|&n| n.min(ROWS_PER_COLUMN))
        .max()
        .unwrap_or(0);
    let mut seen = vec![0usize; max_layer + 1];
    let boxes = region
        .layers
        .iter()
        .map(|&l| {
            let k = seen[l];
            seen[l] += 1;
            let column = first_column[l] + k / ROWS_PER_COLUMN;
            let row = k % ROWS_PER_COLUMN;
            Rect {
                x: PAD + column as f64 * COL_W,
                y: HEADER + row as f64 * ROW_H,
                w: BOX_W,
                h: BOX_H,
            }
        })
        .collect();
    let w = PAD * 2.0 + (columns.max(1) as f64 - 1.0) * COL_W + BOX_W;
    let h = HEADER + rows.max(1) as f64 * ROW_H + PAD - (ROW_H - BOX_H);
    (w, h, boxes)
}

/// The whole map laid out.
#[derive(Clone, Debug, Default)]
pub struct Layout {
    pub width: f64,
    pub height: f64,
    /// The frame around the cluster's regions.
    pub cluster: Rect,
    /// One per input region, in input order.
    pub regions: Vec<Rect>,
    /// Per region, its elements' boxes in input order.
    pub boxes: Vec<Vec<Rect>>,
    /// The internet's box, left of the cluster.
    pub internet: Rect,
}

/// Lays out `inside` (the cluster's regions, packed in shelves) and `cloud` (a region
/// right of the cluster, if any). The internet gets a box left of the cluster, midway
/// down.
pub fn layout(inside: &[RegionInput], cloud: Option<&RegionInput>) -> Layout {
    let placed: Vec<(f64, f64, Vec<Rect>)> = inside.iter().map(place_region).collect();
    let area: f64 = placed.iter().map(|(w, h, _)| (w + GAP) * (h + GAP)).sum();
    let widest = placed.iter().map(|(w, _, _)| *w).fold(0.0, f64::max);
    // Roughly 16:9 overall, never narrower than the widest region.
    let shelf_width = (area * 16.0 / 9.0).sqrt().max(widest).max(600.0);

    let left = GAP * 2.0 + BOX_W + GAP * 2.0;
    let top = GAP + HEADER;
    let (mut x, mut y, mut shelf_h) = (left + GAP, top + GAP, 0.0f64);
    let mut right = left + GAP;
    let mut regions = Vec::with_capacity(placed.len());
    let mut boxes = Vec::with_capacity(placed.len());
    for (w, h, rects) in placed {
        if x > left + GAP && x + w > left + GAP + shelf_width {
            x = left + GAP;
            y += shelf_h + GAP;
            shelf_h = 0.0;
        }
        regions.push(Rect { x, y, w, h });
        boxes.push(
            rects
                .into_iter()
                .map(|r| Rect {
                    x: r.x + x,
                    y: r.y + y,
                    ..r
                })
                .collect(),
        );
        x += w + GAP;
        right = right.max(x);
        shelf_h = shelf_h.max(h);
    }
    let bottom = y + shelf_h + GAP;
    let cluster = Rect {
        x: left,
        y: top - HEADER,
        w: right - left,
        h: bottom - (top - HEADER),
    };
    let mut width = cluster.x + cluster.w + GAP;
    let mut height = cluster.y + cluster.h + GAP;
    if let Some(cloud) = cloud {
        let (w, h, rects) = place_region(cloud);
        let (cx, cy) = (width + GAP, cluster.y);
        regions.push(Rect { x: cx, y: cy, w, h });
        boxes.push(
            rects
                .into_iter()
                .map(|r| Rect {
                    x: r.x + cx,
                    y: r.y + cy,
                    ..r
                })
                .collect(),
        );
        width = cx + w + GAP;
        height = height.max(cy + h + GAP);
    }
    let internet = Rect {
        x: GAP * 2.0,
        y: cluster.y + cluster.h / 2.0 - BOX_H / 2.0,
        w: BOX_W,
        h: BOX_H,
    };
    Layout {
        width,
        height,
        cluster,
        regions,
        boxes,
        internet,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn region(layers: &[usize]) -> RegionInput {
        RegionInput {
            layers: layers.to_vec(),
        }
    }

    #[test]
    fn layers_read_left_to_right_and_wrap() {
        let mut layers = vec![0, 2, 1];
        layers.extend(std::iter::repeat_n(1, ROWS_PER_COLUMN + 1));
        let (w, h, boxes) = place_region(&region(&layers));
        // Layer 0, then layer 1 in two columns, then layer 2.
        assert!(boxes[0].x < boxes[2].x && boxes[2].x < boxes[1].x);
        let wrapped = boxes[2 + ROWS_PER_COLUMN];
        assert!(wrapped.x > boxes[2].x, "the 17th element of a layer wraps");
        assert_eq!(
            wrapped.y, boxes[2].y,
            "and starts the new column at the top"
        );
        assert_eq!(boxes[1].x, PAD + 3.0 * COL_W);
        for b in &boxes {
            assert!(
                Rect {
                    x: 0.0,
                    y: 0.0,
                    w,
                    h
                }
                .contains(b),
                "{b:?} outside {w}x{h}"
            );
        }
    }

    #[test]
    fn regions_and_boxes_never_overlap() {
        let inside: Vec<RegionInput> = (0..40)
            .map(|i| region(&(0..(i * 7 % 45)).map(|k| k % 5).collect::<Vec<_>>()))
            .collect();
        let cloud = region(&[4, 4, 4]);
        let l = layout(&inside, Some(&cloud));
        assert_eq!(l.regions.len(), 41);
        for (i, a) in l.regions.iter().enumerate() {
            for b in &l.regions[i + 1..] {
                assert!(!a.overlaps(b), "{a:?} overlaps {b:?}");
            }
            for r in &l.boxes[i] {
                assert!(a.contains(r), "{r:?} outside its region {a:?}");
            }
        }
        for r in &l.regions[..40] {
            assert!(l.cluster.contains(r), "{r:?} outside the cluster");
        }
        let cloud = l.regions[40];
        assert!(
            cloud.x > l.cluster.x + l.cluster.w,
            "the cloud is right of the cluster"
        );
        assert!(
            l.internet.x + l.internet.w < l.cluster.x,
            "the internet is left of it"
        );
        assert!(l.width >= cloud.x + cloud.w && l.height >= l.cluster.y + l.cluster.h);
        // Shelves: many regions do not make one endless row.
        assert!(l.width < l.height * 4.0, "{} x {}", l.width, l.height);
    }

    #[test]
    fn layout_is_deterministic_and_handles_nothing() {
        let inside = vec![region(&[1, 2, 3]), region(&[0])];
        let a = layout(&inside, None);
        let b = layout(&inside, None);
        assert_eq!(a.regions, b.regions);
        assert_eq!(a.boxes, b.boxes);
        let empty = layout(&[], None);
        assert!(empty.regions.is_empty() && empty.width > 0.0);
    }
}
