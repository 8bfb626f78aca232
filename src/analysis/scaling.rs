//! Robust statistics: medians and MAD-based scales, used both to scale model inputs and to say in
//! words how far an entity sits from the population.

/// Median of `v` (reorders it). `None` when empty.
pub fn median(v: &mut [f64]) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    let mid = v.len() / 2;
    let (_, m, _) = v.select_nth_unstable_by(mid, f64::total_cmp);
    let m = *m;
    if v.len() % 2 == 1 {
        Some(m)
    } else {
        let lower = v[..mid].iter().copied().fold(f64::NEG_INFINITY, f64::max);
        Some((lower + m) / 2.0)
    }
}

/// Location and spread of one feature over a population.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Robust {
    pub median: f64,
    /// 1.4826 x MAD (the standard deviation under normality); when more than half the values tie
    /// (MAD = 0, common for counts that are mostly zero) 1.2533 x mean absolute deviation, and 1
    /// when every value is the same.
    pub scale: f64,
}

impl Robust {
    pub fn fit(values: &[f64]) -> Robust {
        let mut v = values.to_vec();
        let Some(med) = median(&mut v) else {
            return Robust {
                median: 0.0,
                scale: 1.0,
            };
        };
        for x in v.iter_mut() {
            *x = (*x - med).abs();
        }
        let mean_ad = v.iter().sum::<f64>() / v.len() as f64;
        let mad = median(&mut v).unwrap_or(0.0);
        let scale = if mad > 1e-12 {
            1.4826 * mad
        } else if mean_ad > 1e-12 {
            1.2533 * mean_ad
        } else {
            1.0
        };
        Robust { median: med, scale }
    }

    pub fn z(&self, x: f64) -> f64 {
        (x - self.median) / self.scale
    }
}

/// Per-feature robust scaler for model vectors.
#[derive(Debug, Clone)]
pub struct Scaler<const N: usize> {
    pub stats: [Robust; N],
}

/// Scaled values are clipped here, so one huge count cannot flatten every other axis.
pub const CLIP: f64 = 20.0;

impl<const N: usize> Scaler<N> {
    pub fn fit(points: &[[f64; N]]) -> Scaler<N> {
        let stats = std::array::from_fn(|k| {
            let col: Vec<f64> = points.iter().map(|p| p[k]).collect();
            Robust::fit(&col)
        });
        Scaler { stats }
    }

    pub fn transform(&self, p: &[f64; N]) -> [f64; N] {
        std::array::from_fn(|k| self.stats[k].z(p[k]).clamp(-CLIP, CLIP))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians() {
        assert_eq!(median(&mut [3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&mut [4.0, 1.0, 3.0, 2.0]), Some(2.5));
        assert_eq!(median(&mut []), None);
    }

    #[test]
    fn robust_scale_and_fallbacks() {
        // median 3, |dev| = 2,1,0,1,97 -> MAD 1.
        let r = Robust::fit(&[1.0, 2.0, 3.0, 4.0, 100.0]);
        assert_eq!(r.median, 3.0);
        assert!((r.scale - 1.4826).abs() < 1e-12);
        // Mostly zeros: MAD is 0, mean absolute deviation is 10/5 = 2.
        let r = Robust::fit(&[0.0, 0.0, 0.0, 0.0, 10.0]);
        assert_eq!(r.median, 0.0);
        assert!((r.scale - 1.2533 * 2.0).abs() < 1e-12);
        assert_eq!(Robust::fit(&[5.0, 5.0]).scale, 1.0);
    }
}
