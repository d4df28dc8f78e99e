//! The hash maps of the analysis's hot loops (rules, graph build, score, links between
//! findings and paths), keyed by strings of the snapshot: foldhash instead of the
//! standard library's SipHash, which was 6–8% of concluding a large cluster.
//!
//! HashDoS: the keys come from a file the user chose, read once offline, and no one
//! can watch this process's hashes or their timing while it runs. foldhash's
//! `RandomState` is seeded per process (address-space layout, the clock) and per map,
//! so a snapshot cannot be crafted beforehand to collide in every run; that is the
//! threat here, and it is what foldhash defends against (it does not claim to resist
//! an attacker who can observe and adapt, which a snapshot file cannot).

/// A `HashMap` hashed with foldhash, seeded per process and per map.
pub(crate) type FastMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;

/// A `HashSet` hashed with foldhash, seeded per process and per map.
pub(crate) type FastSet<T> = std::collections::HashSet<T, foldhash::fast::RandomState>;
