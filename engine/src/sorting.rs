//! Stable sorting of large records (findings, inventory rows: hundreds of bytes each)
//! by their positions: the merge sort moves positions instead of the
//! records, which then move once each into their place.

use std::cmp::Ordering;

/// The positions `0..len` sorted stably by `cmp`, which compares the items at two
/// positions; [`permute`] then puts the items in that order.
pub(crate) fn positions(len: usize, mut cmp: impl FnMut(usize, usize) -> Ordering) -> Vec<usize> {
    let mut order: Vec<usize> = (0..len).collect();
    order.sort_by(|&a, &b| cmp(a, b));
    order
}

/// Puts `items` in `order` (`order[i]` is the position of the item that goes to `i`),
/// moving each item once by following the permutation's cycles in place.
pub(crate) fn permute<T>(items: &mut [T], mut order: Vec<usize>) {
    for start in 0..items.len() {
        let mut at = start;
        // A filled position is marked by pointing at itself.
        while order[at] != start {
            let from = order[at];
            items.swap(at, from);
            order[at] = at;
            at = from;
        }
        order[at] = at;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_like_a_stable_sort() {
        // Pairs sorted by their first element only: ties keep their order.
        let items: Vec<(u8, u32)> = (0..500u32).map(|i| ((i * 7919 % 13) as u8, i)).collect();
        let mut expected = items.clone();
        expected.sort_by_key(|&(k, _)| k);
        let mut sorted = items.clone();
        let keys: Vec<u8> = items.iter().map(|&(k, _)| k).collect();
        permute(
            &mut sorted,
            positions(keys.len(), |a, b| keys[a].cmp(&keys[b])),
        );
        assert_eq!(sorted, expected);
        assert_ne!(sorted, items);
    }

    #[test]
    fn permutes_every_cycle() {
        let mut items = vec!['a', 'b', 'c', 'd', 'e', 'f'];
        // Cycles (0 2 1), (3), (4 5).
        permute(&mut items, vec![2, 0, 1, 3, 5, 4]);
        assert_eq!(items, vec!['c', 'a', 'b', 'd', 'f', 'e']);
        let mut empty: Vec<char> = Vec::new();
        permute(&mut empty, Vec::new());
        assert!(empty.is_empty());
    }
}
