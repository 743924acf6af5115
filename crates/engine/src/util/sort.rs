//! Stable sorting with one shared algorithm.
//!
//! `slice::sort_by` is generic: every element type and comparison gets its own copy of the standard library's
//! driftsort (about 4 KB of WebAssembly each), and the engine and kubectl sort in some sixty places. Here the
//! algorithm — a bottom-up merge sort over indices, through a `dyn` comparison — exists once; what is generic
//! per call site is only the closure and the swaps that apply the order. Stability and results are those of
//! `slice::sort_by`.
//!
//! ```
//! use engine::util::sort::StableSort;
//! let mut v = vec![(2, 'a'), (1, 'b'), (2, 'c'), (1, 'd')];
//! v.stable_sort_by_key(|p| p.0);
//! assert_eq!(v, [(1, 'b'), (1, 'd'), (2, 'a'), (2, 'c')]);
//! ```

use std::cmp::Ordering;

/// Stable sorts for slices, with one shared implementation (see the module documentation).
pub trait StableSort<T> {
    fn stable_sort(&mut self)
    where
        T: Ord;
    fn stable_sort_by(&mut self, compare: impl FnMut(&T, &T) -> Ordering);
    fn stable_sort_by_key<K: Ord>(&mut self, key: impl FnMut(&T) -> K);
}

impl<T> StableSort<T> for [T] {
    fn stable_sort(&mut self)
    where
        T: Ord,
    {
        self.stable_sort_by(T::cmp);
    }

    fn stable_sort_by(&mut self, mut compare: impl FnMut(&T, &T) -> Ordering) {
        if self.len() < 2 {
            return;
        }
        let order = {
            let items: &[T] = self;
            sorted_indices(items.len(), &mut |a, b| compare(&items[a], &items[b]))
        };
        permute(self, &order);
    }

    fn stable_sort_by_key<K: Ord>(&mut self, mut key: impl FnMut(&T) -> K) {
        self.stable_sort_by(|a, b| key(a).cmp(&key(b)));
    }
}

/// The indices `0..n` in the order `compare` puts them, equal ones in their original order.
fn sorted_indices(n: usize, compare: &mut dyn FnMut(usize, usize) -> Ordering) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    let mut buffer = vec![0; n];
    let mut width = 1;
    while width < n {
        let mut start = 0;
        while start < n {
            let mid = (start + width).min(n);
            let end = (start + 2 * width).min(n);
            let (mut i, mut j, mut k) = (start, mid, start);
            while i < mid && j < end {
                // Take from the right run only when strictly less: that keeps equal elements in order.
                if compare(order[j], order[i]) == Ordering::Less {
                    buffer[k] = order[j];
                    j += 1;
                } else {
                    buffer[k] = order[i];
                    i += 1;
                }
                k += 1;
            }
            buffer[k..k + mid - i].copy_from_slice(&order[i..mid]);
            k += mid - i;
            buffer[k..k + end - j].copy_from_slice(&order[j..end]);
            start = end;
        }
        std::mem::swap(&mut order, &mut buffer);
        width *= 2;
    }
    order
}

/// Rearranges `items` so that position `i` holds what was at `order[i]`, following each cycle of the
/// permutation with swaps.
fn permute<T>(items: &mut [T], order: &[usize]) {
    let mut placed = vec![false; items.len()];
    for start in 0..items.len() {
        let mut pos = start;
        while !placed[pos] {
            placed[pos] = true;
            let from = order[pos];
            if from == start {
                break;
            }
            items.swap(pos, from);
            pos = from;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

    #[test]
    fn agrees_with_the_standard_stable_sort() {
        let mut rng = Rng::new(7);
        for len in 0..200usize {
            let v: Vec<(u64, usize)> = (0..len).map(|i| (rng.below(len as u64 / 3 + 1), i)).collect();
            let mut ours = v.clone();
            let mut std_sorted = v.clone();
            ours.stable_sort_by_key(|p| p.0);
            std_sorted.sort_by_key(|p| p.0);
            assert_eq!(ours, std_sorted, "len {len}");
            let mut desc = v.clone();
            desc.stable_sort_by(|a, b| b.cmp(a));
            let mut std_desc = v;
            std_desc.sort_by(|a, b| b.cmp(a));
            assert_eq!(desc, std_desc);
        }
    }

    #[test]
    fn sorts_strings_in_place() {
        let mut v = vec!["web".to_string(), "api".into(), "db".into(), "api".into()];
        v.stable_sort();
        assert_eq!(v, ["api", "api", "db", "web"]);
    }
}
