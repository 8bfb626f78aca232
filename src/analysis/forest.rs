//! Anomaly scores from the `extended-isolation-forest` crate on trees we grow ourselves.
//!
//! Why our own builder: the crate grows its trees from `thread_rng()` and takes no seed, so two runs
//! on the same log would rank principals differently. Its `Forest` derives `Deserialize` (feature
//! `serde`), so we grow the trees here with a seeded generator, following the published Extended
//! Isolation Forest algorithm (Hariri, Carrasco Kind, Brunner: "Extended Isolation Forest", IEEE
//! TKDE 2021), write them in the crate's serialised layout and deserialise them into its `Forest`,
//! whose `score` then does the scoring. Same input and seed, same trees, same scores.
//!
//! The algorithm: each tree sees a random subsample of ψ points without replacement. A node with
//! more than one point, above the depth limit ⌈log2 ψ⌉, draws a normal vector n with standard
//! normal coordinates, of which N − 1 − extension_level (randomly chosen) are set to zero, and an
//! intercept p uniform within the bounding box of its points; points with (x − p)·n ≤ 0 go left.
//! The score of x is 2^(−E[h(x)] / c(ψ)), with h the path length (plus c(size) at a leaf holding
//! several points) and c(m) = 2 H(m − 1) − 2 (m − 1) / m the mean unsuccessful-search path length
//! of a binary search tree.
use extended_isolation_forest::Forest;
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde::Serialize;

use super::rng::{Rng, splitmix64};
use crate::error::{Error, Result};

/// Forest settings. 100 trees, as in the isolation forest papers: path lengths converge well
/// before that, and scoring cost grows with every tree (it dominates the analysis of a large log).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ForestParams {
    pub trees: usize,
    /// Subsample per tree (ψ); clamped to the number of points.
    pub sample_size: usize,
    /// Non-zero coordinates of each split normal minus one (0 = axis-parallel splits, N − 1 = fully
    /// extended). `None` = fully extended.
    pub extension_level: Option<usize>,
    pub seed: u64,
}

impl Default for ForestParams {
    fn default() -> Self {
        ForestParams {
            trees: 100,
            sample_size: 256,
            extension_level: None,
            seed: 0x00C7_7A11_5EED,
        }
    }
}

/// Fewer points than this and an isolation score means nothing: no model is built.
pub const MIN_POINTS: usize = 8;

// The crate's serialised layout (field and variant names are its derive's).
#[derive(Serialize)]
struct ForestRepr<const N: usize> {
    avg_path_length_c: f64,
    trees: Vec<TreeRepr<N>>,
}

#[derive(Serialize)]
struct TreeRepr<const N: usize> {
    root: NodeRepr<N>,
}

#[derive(Serialize)]
enum NodeRepr<const N: usize> {
    Ex(ExRepr),
    In(InRepr<N>),
}

#[derive(Serialize)]
struct ExRepr {
    num_samples: usize,
}

#[derive(Serialize)]
struct InRepr<const N: usize> {
    left: Box<NodeRepr<N>>,
    right: Box<NodeRepr<N>>,
    #[serde(with = "array")]
    n: [f64; N],
    #[serde(with = "array")]
    p: [f64; N],
}

/// Fixed-size arrays as tuples, the way the crate reads them (serde's own array support stops at 32).
mod array {
    use serde::Serializer;
    use serde::ser::SerializeTuple;

    pub fn serialize<S: Serializer, const N: usize>(a: &[f64; N], s: S) -> Result<S::Ok, S::Error> {
        let mut t = s.serialize_tuple(N)?;
        for v in a {
            t.serialize_element(v)?;
        }
        t.end()
    }
}

/// c(m): mean path length of an unsuccessful search in a binary search tree of m points.
pub fn c_factor(m: usize) -> f64 {
    if m <= 1 {
        return 0.0;
    }
    let m = m as f64;
    2.0 * ((m - 1.0).ln() + 0.577_215_664_9) - 2.0 * (m - 1.0) / m
}

fn grow<const N: usize>(
    points: &[[f64; N]],
    idx: &mut [usize],
    rng: &mut Rng,
    depth: usize,
    max_depth: usize,
    zeroed: usize,
) -> NodeRepr<N> {
    if depth >= max_depth || idx.len() <= 1 {
        return NodeRepr::Ex(ExRepr {
            num_samples: idx.len(),
        });
    }
    let mut lo = points[idx[0]];
    let mut hi = lo;
    for &i in idx.iter().skip(1) {
        for k in 0..N {
            lo[k] = lo[k].min(points[i][k]);
            hi[k] = hi[k].max(points[i][k]);
        }
    }
    let p: [f64; N] = std::array::from_fn(|k| {
        if lo[k] < hi[k] {
            rng.uniform(lo[k], hi[k])
        } else {
            lo[k]
        }
    });
    let mut n: [f64; N] = std::array::from_fn(|_| rng.normal());
    for k in rng.sample_indices(N, zeroed) {
        n[k] = 0.0;
    }
    // Partition in place: left = (x - p)·n <= 0, matching the crate's traversal.
    let mut split = 0;
    for j in 0..idx.len() {
        if side(&points[idx[j]], &n, &p) {
            idx.swap(split, j);
            split += 1;
        }
    }
    let (left, right) = idx.split_at_mut(split);
    NodeRepr::In(InRepr {
        left: Box::new(grow(points, left, rng, depth + 1, max_depth, zeroed)),
        right: Box::new(grow(points, right, rng, depth + 1, max_depth, zeroed)),
        n,
        p,
    })
}

/// True for the left side.
fn side<const N: usize>(x: &[f64; N], n: &[f64; N], p: &[f64; N]) -> bool {
    let mut d = 0.0;
    for k in 0..N {
        d += (x[k] - p[k]) * n[k];
    }
    d <= 0.0
}

fn build_repr<const N: usize>(points: &[[f64; N]], params: &ForestParams) -> ForestRepr<N> {
    let psi = params.sample_size.max(2).min(points.len());
    let max_depth = (psi as f64).log2().ceil() as usize;
    let ext = params.extension_level.unwrap_or(N - 1).min(N - 1);
    let zeroed = N - 1 - ext;
    // One independent stream per tree, so trees can grow in parallel and stay reproducible.
    let trees = (0..params.trees)
        .into_par_iter()
        .map(|t| {
            let mut sm = params.seed ^ (t as u64).wrapping_mul(0xA24B_AED4_963E_E407);
            let mut rng = Rng::new(splitmix64(&mut sm));
            let mut idx = rng.sample_indices(points.len(), psi);
            TreeRepr {
                root: grow(points, &mut idx, &mut rng, 0, max_depth, zeroed),
            }
        })
        .collect();
    ForestRepr {
        avg_path_length_c: c_factor(psi),
        trees,
    }
}

/// Grows a seeded forest on `points` and hands it to the crate. `None` with fewer than
/// [`MIN_POINTS`] points.
pub fn train<const N: usize>(
    points: &[[f64; N]],
    params: &ForestParams,
) -> Result<Option<Forest<f64, N>>> {
    if points.len() < MIN_POINTS || params.trees == 0 || N == 0 {
        return Ok(None);
    }
    let repr = build_repr(points, params);
    // Through serde_json::Value rather than text: no float formatting, so every split is exact.
    let value = serde_json::to_value(&repr)?;
    let forest: Forest<f64, N> = serde_json::from_value(value)
        .map_err(|e| Error::Invalid(format!("isolation forest layout: {e}")))?;
    Ok(Some(forest))
}

/// Scores every point with the crate. Identical points are scored once (a log has many quiet
/// windows with the same features); scoring runs in parallel and is bit-identical to serial.
pub fn score_all<const N: usize>(forest: &Forest<f64, N>, points: &[[f64; N]]) -> Vec<f64> {
    let mut slot: FxHashMap<[u64; N], u32> = FxHashMap::default();
    let mut unique: Vec<[f64; N]> = Vec::new();
    let index: Vec<u32> = points
        .iter()
        .map(|p| {
            let key = p.map(f64::to_bits);
            *slot.entry(key).or_insert_with(|| {
                unique.push(*p);
                (unique.len() - 1) as u32
            })
        })
        .collect();
    let scores: Vec<f64> = unique.par_iter().map(|p| forest.score(p)).collect();
    index.into_iter().map(|i| scores[i as usize]).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Our own reading of the trees, to check the crate sees exactly the structure we built.
    fn path_len<const N: usize>(node: &NodeRepr<N>, x: &[f64; N]) -> f64 {
        match node {
            NodeRepr::Ex(e) => c_factor(e.num_samples),
            NodeRepr::In(i) => {
                1.0 + if side(x, &i.n, &i.p) {
                    path_len(&i.left, x)
                } else {
                    path_len(&i.right, x)
                }
            }
        }
    }

    fn blob(n: usize, seed: u64) -> Vec<[f64; 3]> {
        let mut r = Rng::new(seed);
        (0..n)
            .map(|_| [r.normal(), r.normal(), r.normal()])
            .collect()
    }

    #[test]
    fn crate_scores_our_trees_as_we_built_them() {
        let pts = blob(300, 3);
        let params = ForestParams {
            trees: 50,
            sample_size: 64,
            ..ForestParams::default()
        };
        let repr = build_repr(&pts, &params);
        let forest = train(&pts, &params).expect("train").expect("forest");
        for x in pts.iter().take(20).chain([[6.0, -6.0, 6.0]].iter()) {
            let mean: f64 = repr.trees.iter().map(|t| path_len(&t.root, x)).sum::<f64>()
                / repr.trees.len() as f64;
            let ours = 2f64.powf(-mean / repr.avg_path_length_c);
            assert!((ours - forest.score(x)).abs() < 1e-12);
        }
    }

    #[test]
    fn outlier_scores_high_inliers_low() {
        let pts = blob(500, 9);
        let forest = train(&pts, &ForestParams::default())
            .expect("train")
            .expect("forest");
        let out = forest.score(&[8.0, 8.0, -8.0]);
        assert!(out > 0.6, "outlier {out}");
        let inl = forest.score(&[0.0, 0.1, -0.1]);
        assert!(inl < 0.55, "inlier {inl}");
    }

    #[test]
    fn seeded_and_reproducible() {
        let pts = blob(200, 5);
        let p = ForestParams::default();
        let a = score_all(&train(&pts, &p).expect("a").expect("a"), &pts);
        let b = score_all(&train(&pts, &p).expect("b").expect("b"), &pts);
        assert_eq!(a, b);
        let other = ForestParams { seed: 99, ..p };
        let c = score_all(&train(&pts, &other).expect("c").expect("c"), &pts);
        assert_ne!(a, c);
        assert!(train(&pts[..5], &p).expect("small").is_none());
    }
}
