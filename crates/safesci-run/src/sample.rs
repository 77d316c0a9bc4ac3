//! Which items a run evaluates: `--shard k/n` (by a hash of the item id, so every host agrees
//! without coordination) and `--sample N --seed S` (stratified over field × track: every
//! non-empty stratum is represented, the rest is allocated proportionally; deterministic and
//! independent of file order).

use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use safesci_core::item::{Field, Track};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

/// Shard `index` (1-based) of `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: u32,
    pub count: u32,
}

impl FromStr for Shard {
    type Err = String;
    fn from_str(s: &str) -> Result<Shard, String> {
        let bad = || format!("bad shard `{s}` (expected k/n with 1 <= k <= n, e.g. 2/4)");
        let (k, n) = s.split_once('/').ok_or_else(bad)?;
        let index: u32 = k.trim().parse().map_err(|_| bad())?;
        let count: u32 = n.trim().parse().map_err(|_| bad())?;
        if count == 0 || index == 0 || index > count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl Shard {
    /// Whether the item with this id belongs to the shard.
    pub fn contains(&self, item_id: &str) -> bool {
        let digest = Sha256::digest(item_id.as_bytes());
        let mut b = [0u8; 8];
        b.copy_from_slice(&digest[..8]);
        (u64::from_le_bytes(b) % u64::from(self.count)) as u32 == self.index - 1
    }
}

/// Stratified sample of `n` from `entries` (`(id, field, track)`); returns the chosen indices,
/// sorted. Every stratum gets one item first (when `n` allows), then the remainder goes out by
/// largest remainder of the proportional share.
pub fn stratified_sample(entries: &[(&str, Field, Track)], n: usize, seed: u64) -> Vec<usize> {
    if n >= entries.len() {
        return (0..entries.len()).collect();
    }
    let mut strata: BTreeMap<(Field, Track), Vec<usize>> = BTreeMap::new();
    for (i, (_, field, track)) in entries.iter().enumerate() {
        strata.entry((*field, *track)).or_default().push(i);
    }
    // Order members by id so the file order does not matter, then shuffle per stratum.
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut groups: Vec<Vec<usize>> = strata
        .into_values()
        .map(|mut members| {
            members.sort_by(|a, b| entries[*a].0.cmp(entries[*b].0));
            members.shuffle(&mut rng);
            members
        })
        .collect();
    let total = entries.len();
    let mut alloc = vec![0usize; groups.len()];
    if n < groups.len() {
        // Too few to cover every stratum: one each from n strata chosen at random.
        let mut order: Vec<usize> = (0..groups.len()).collect();
        order.shuffle(&mut rng);
        for g in order.into_iter().take(n) {
            alloc[g] = 1;
        }
    } else {
        for a in alloc.iter_mut() {
            *a = 1;
        }
        let rest = n - groups.len();
        let spare: Vec<usize> = groups.iter().map(|g| g.len() - 1).collect();
        let spare_total: usize = spare.iter().sum();
        let mut given = 0;
        let mut remainders = Vec::new();
        for (g, s) in spare.iter().enumerate() {
            let exact = rest as f64 * *s as f64 / spare_total.max(1) as f64;
            let whole = (exact.floor() as usize).min(*s);
            alloc[g] += whole;
            given += whole;
            remainders.push((exact - whole as f64, g));
        }
        remainders.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        let mut left = rest - given;
        // Largest remainder first; loop again if capped strata could not take their share.
        while left > 0 {
            let mut progressed = false;
            for (_, g) in &remainders {
                if left == 0 {
                    break;
                }
                if alloc[*g] < groups[*g].len() {
                    alloc[*g] += 1;
                    left -= 1;
                    progressed = true;
                }
            }
            if !progressed {
                break;
            }
        }
        debug_assert!(alloc.iter().sum::<usize>() == n.min(total));
    }
    let mut chosen: Vec<usize> = groups
        .iter_mut()
        .zip(alloc)
        .flat_map(|(g, a)| g.drain(..a).collect::<Vec<_>>())
        .collect();
    chosen.sort_unstable();
    chosen
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeSet;

    #[test]
    fn shards_partition_ids() {
        let ids: Vec<String> = (0..1000).map(|i| format!("i{i:016x}")).collect();
        let shards: Vec<Shard> = (1..=4).map(|k| format!("{k}/4").parse().unwrap()).collect();
        for id in &ids {
            let owners = shards.iter().filter(|s| s.contains(id)).count();
            assert_eq!(owners, 1, "every id belongs to exactly one shard");
        }
        let first = ids.iter().filter(|id| shards[0].contains(id)).count();
        assert!((150..350).contains(&first), "roughly balanced: {first}");
        assert!("0/4".parse::<Shard>().is_err());
        assert!("5/4".parse::<Shard>().is_err());
        assert!("x".parse::<Shard>().is_err());
    }

    fn entries(spec: &[(usize, Field, Track)]) -> Vec<(String, Field, Track)> {
        let mut out = Vec::new();
        for (count, f, t) in spec {
            for i in 0..*count {
                out.push((format!("{f}-{t}-{i}"), *f, *t));
            }
        }
        out
    }

    #[test]
    fn small_strata_are_represented() {
        let e = entries(&[
            (1000, Field::Chemistry, Track::Knowledge),
            (3, Field::Physics, Track::Risk),
            (1, Field::Biology, Track::Benign),
        ]);
        let view: Vec<(&str, Field, Track)> =
            e.iter().map(|(i, f, t)| (i.as_str(), *f, *t)).collect();
        let s = stratified_sample(&view, 10, 7);
        assert_eq!(s.len(), 10);
        let strata: BTreeSet<_> = s.iter().map(|i| (e[*i].1, e[*i].2)).collect();
        assert_eq!(strata.len(), 3, "every stratum represented");
    }

    proptest! {
        #[test]
        fn sample_is_sized_deterministic_and_order_independent(
            sizes in proptest::collection::vec(0usize..40, 1..6),
            n in 0usize..120,
            seed in 0u64..1000,
        ) {
            let pairs = [
                (Field::Chemistry, Track::Knowledge), (Field::Biology, Track::Risk),
                (Field::Physics, Track::Benign), (Field::Medicine, Track::Context),
                (Field::General, Track::Knowledge), (Field::Materials, Track::Risk),
            ];
            let spec: Vec<_> = sizes.iter().zip(pairs).map(|(c, (f, t))| (*c, f, t)).collect();
            let e = entries(&spec);
            let view: Vec<(&str, Field, Track)> = e.iter().map(|(i, f, t)| (i.as_str(), *f, *t)).collect();
            let s = stratified_sample(&view, n, seed);
            prop_assert_eq!(s.len(), n.min(e.len()));
            prop_assert_eq!(&s, &stratified_sample(&view, n, seed));
            let nonempty = sizes.iter().filter(|c| **c > 0).count();
            if n >= nonempty {
                let strata: BTreeSet<_> = s.iter().map(|i| (e[*i].1, e[*i].2)).collect();
                prop_assert_eq!(strata.len(), nonempty);
            }
            // Reversing the file picks the same ids.
            let rev: Vec<(&str, Field, Track)> = view.iter().rev().cloned().collect();
            let mut a: Vec<&str> = s.iter().map(|i| view[*i].0).collect();
            let mut b: Vec<&str> = stratified_sample(&rev, n, seed).iter().map(|i| rev[*i].0).collect();
            a.sort_unstable(); b.sort_unstable();
            prop_assert_eq!(a, b);
        }
    }
}
