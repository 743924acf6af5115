//! The Deployment controller's arithmetic, as pure functions (`pkg/controller/deployment/util`,
//! `pkg/controller/deployment/rolling.go`, `apimachinery/pkg/util/intstr`). Everything here is integers in,
//! integers out, so each step of a rollout can be checked against the real controller by hand.

use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

/// `intstr.GetScaledValueFromIntOrPercent`: an absolute number as is; a percentage of `total`, rounded up
/// (maxSurge) or down (maxUnavailable). Anything else counts as 0 (validation has refused it already).
///
/// `25%` of 10 is 3 rounded up and 2 rounded down; `25%` of 1 is 1 up, 0 down.
pub fn scaled_value(value: Option<&IntOrString>, total: i32, round_up: bool) -> i32 {
    match value {
        None => 0,
        Some(IntOrString::Int(n)) => *n,
        Some(IntOrString::String(s)) => {
            let Some(p) = s.strip_suffix('%').and_then(|p| p.parse::<i64>().ok()) else { return 0 };
            let product = p * total as i64;
            if round_up {
                (product + 99).div_euclid(100) as i32
            } else {
                product.div_euclid(100) as i32
            }
        }
    }
}

/// `deploymentutil.ResolveFenceposts`: (maxSurge, maxUnavailable) for `desired` replicas; when both come out 0,
/// maxUnavailable becomes 1 so that the rollout can move at all.
///
/// 10 replicas at 25%/25% → (3, 2); 3 at 25%/25% → (1, 0); 1 at 0/0 → (0, 1).
pub fn resolve_fenceposts(
    max_surge: Option<&IntOrString>,
    max_unavailable: Option<&IntOrString>,
    desired: i32,
) -> (i32, i32) {
    let surge = scaled_value(max_surge, desired, true);
    let mut unavailable = scaled_value(max_unavailable, desired, false);
    if surge == 0 && unavailable == 0 {
        unavailable = 1;
    }
    (surge, unavailable)
}

/// The rollout strategy as the controller's arithmetic sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Strategy {
    /// Resolved maxSurge / maxUnavailable (see [`resolve_fenceposts`]).
    Rolling {
        surge: i32,
        unavailable: i32,
    },
    Recreate,
}

impl Strategy {
    /// `deploymentutil.MaxSurge`: 0 for Recreate.
    pub fn max_surge(self) -> i32 {
        match self {
            Strategy::Rolling { surge, .. } => surge,
            Strategy::Recreate => 0,
        }
    }

    /// `deploymentutil.MaxUnavailable`: 0 for Recreate or 0 replicas, at most `replicas`.
    pub fn max_unavailable(self, replicas: i32) -> i32 {
        match self {
            Strategy::Rolling { unavailable, .. } if replicas > 0 => unavailable.min(replicas),
            _ => 0,
        }
    }
}

/// `deploymentutil.NewRSNewReplicas`: the size the new ReplicaSet may grow to now. Rolling: up to
/// `replicas + maxSurge` pods in all (counting every ReplicaSet's `spec.replicas`), never beyond `replicas`.
///
/// 10 replicas, surge 3, old RS at 10, new at 0 → 3. Old at 8, new at 3 (11 in all) → 5.
pub fn new_rs_new_replicas(strategy: Strategy, replicas: i32, all_spec_replicas: i32, new_spec_replicas: i32) -> i32 {
    match strategy {
        Strategy::Recreate => replicas,
        Strategy::Rolling { surge, .. } => {
            let max_total = replicas + surge;
            if all_spec_replicas >= max_total {
                return new_spec_replicas;
            }
            let up = (max_total - all_spec_replicas).min(replicas - new_spec_replicas);
            new_spec_replicas + up
        }
    }
}

/// `reconcileOldReplicaSets`' budget: how many old pods may go now without dropping below
/// `replicas - maxUnavailable`, counting the new ReplicaSet's not-yet-available pods as already missing.
///
/// 10 replicas, maxUnavailable 2, 13 pods (10 old + 3 new, none available yet) → 13 − 8 − 3 = 2.
pub fn max_scaled_down(replicas: i32, max_unavailable: i32, all_spec_replicas: i32, new_unavailable: i32) -> i32 {
    all_spec_replicas - (replicas - max_unavailable) - new_unavailable
}

/// `scaleDownOldReplicaSetsForRollingUpdate`: how many available old pods may go, given every ReplicaSet's
/// available pods. 10 available, 10 replicas, maxUnavailable 2 → 2.
pub fn rolling_scale_down_count(replicas: i32, max_unavailable: i32, all_available: i32) -> i32 {
    (all_available - (replicas - max_unavailable)).max(0)
}

/// `getReplicaSetFraction` + `GetReplicaSetProportion`: the share of `to_add` (which may be negative) one
/// active ReplicaSet takes when a Deployment is scaled in the middle of a rollout.
///
/// `rs_replicas` is its size, `annotated_max` its `max-replicas` annotation (the old `replicas + maxSurge`),
/// `new_max` the new `replicas + maxSurge`. A ReplicaSet of 5 annotated 13 when the deployment goes from 10 to
/// 20 (max 26): round(5 × 26 / 13) − 5 = 5, capped by what is left to add.
pub fn proportion(
    rs_replicas: i32,
    deployment_replicas: i32,
    annotated_max: Option<i32>,
    status_replicas: i32,
    new_max: i32,
    to_add: i32,
    added: i32,
) -> i32 {
    if rs_replicas == 0 || to_add == 0 || to_add == added {
        return 0;
    }
    let fraction = if deployment_replicas == 0 {
        -rs_replicas
    } else {
        let before = match annotated_max {
            Some(m) if m != 0 => m,
            _ => status_replicas,
        };
        if before == 0 {
            0
        } else {
            // integer.RoundToInt32 is math.Round: halves away from zero, as f64::round.
            ((rs_replicas as f64 * new_max as f64) / before as f64).round() as i32 - rs_replicas
        }
    };
    let allowed = to_add - added;
    if to_add > 0 {
        fraction.min(allowed)
    } else {
        fraction.max(allowed)
    }
}

/// `rand.SafeEncodeString`: each byte of `s` mapped onto an alphabet without vowels (and without 0, 1, 3) so
/// that generated names never spell words.
pub fn safe_encode(s: &str) -> String {
    const ALPHANUMS: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    s.bytes().map(|b| ALPHANUMS[b as usize % ALPHANUMS.len()] as char).collect()
}

/// FNV-1a, 32 bits (Go's `hash/fnv.New32a`).
pub fn fnv32a(bytes: &[u8]) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for b in bytes {
        h ^= *b as u32;
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

/// `controller.ComputeHash`: the `pod-template-hash` of a template. The real controller feeds FNV-32a with
/// go-spew's dump of the Go struct, which only Go can reproduce; here the template's JSON is hashed instead
/// (so a real cluster would print other hashes), followed, as there, by the collision count as 8 little-endian
/// bytes, and rendered the same way: the decimal digits of the sum through [`safe_encode`].
pub fn compute_hash(template_json: &[u8], collision_count: Option<i32>) -> String {
    let mut bytes = template_json.to_vec();
    if let Some(c) = collision_count {
        let mut extra = [0u8; 8];
        extra[..4].copy_from_slice(&(c as u32).to_le_bytes());
        bytes.extend_from_slice(&extra);
    }
    safe_encode(&fnv32a(&bytes).to_string())
}

/// One rolling step as the controller takes it from a steady state in which every pod becomes available only
/// when told: the sizes (new, old) after each scaling decision. Used by the tests to check whole rollouts.
#[cfg(test)]
fn rolling_steps(replicas: i32, surge: i32, unavailable: i32) -> Vec<(i32, i32)> {
    let strategy = Strategy::Rolling { surge, unavailable };
    let max_unavailable = strategy.max_unavailable(replicas);
    let (mut new, mut old) = (0, replicas);
    // Available pods: old ones are all available; new ones become available between rounds.
    let (mut new_avail, mut old_avail) = (0, replicas);
    let mut steps = Vec::new();
    for _ in 0..100 {
        if new == replicas && old == 0 {
            break;
        }
        let want = new_rs_new_replicas(strategy, replicas, new + old, new);
        if want != new {
            new = want;
            steps.push((new, old));
            continue;
        }
        let budget = max_scaled_down(replicas, max_unavailable, new + old, new - new_avail);
        if budget > 0 {
            let down = rolling_scale_down_count(replicas, max_unavailable, new_avail + old_avail).min(old);
            if down > 0 {
                old -= down;
                old_avail = old_avail.min(old);
                steps.push((new, old));
                continue;
            }
        }
        // Nothing to do until the new pods become available.
        new_avail = new;
    }
    steps
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pct(s: &str) -> IntOrString {
        IntOrString::String(s.into())
    }

    #[test]
    fn scaled_values_round_as_intstr_does() {
        let table = [
            ("25%", 10, true, 3),
            ("25%", 10, false, 2),
            ("25%", 1, true, 1),
            ("25%", 1, false, 0),
            ("50%", 3, true, 2),
            ("50%", 3, false, 1),
            ("100%", 7, false, 7),
            ("0%", 7, true, 0),
            ("30%", 0, true, 0),
        ];
        for (p, total, up, want) in table {
            assert_eq!(scaled_value(Some(&pct(p)), total, up), want, "{p} of {total} up={up}");
        }
        assert_eq!(scaled_value(Some(&IntOrString::Int(2)), 10, true), 2);
        assert_eq!(scaled_value(None, 10, true), 0);
    }

    #[test]
    fn fenceposts() {
        assert_eq!(resolve_fenceposts(Some(&pct("25%")), Some(&pct("25%")), 10), (3, 2));
        assert_eq!(resolve_fenceposts(Some(&pct("25%")), Some(&pct("25%")), 3), (1, 0));
        assert_eq!(resolve_fenceposts(Some(&IntOrString::Int(0)), Some(&IntOrString::Int(0)), 1), (0, 1));
        assert_eq!(Strategy::Rolling { surge: 0, unavailable: 5 }.max_unavailable(3), 3);
        assert_eq!(Strategy::Rolling { surge: 0, unavailable: 5 }.max_unavailable(0), 0);
        assert_eq!(Strategy::Recreate.max_surge(), 0);
    }

    #[test]
    fn new_replica_set_growth() {
        let s = Strategy::Rolling { surge: 3, unavailable: 2 };
        let table = [(10, 10, 0, 3), (10, 11, 3, 5), (10, 13, 3, 3), (10, 10, 10, 10), (10, 12, 9, 10)];
        for (replicas, all, new, want) in table {
            assert_eq!(new_rs_new_replicas(s, replicas, all, new), want, "{replicas} {all} {new}");
        }
        assert_eq!(new_rs_new_replicas(Strategy::Recreate, 4, 0, 0), 4);
    }

    #[test]
    fn ten_replicas_at_25_percent_step_as_the_real_controller() {
        // New RS to 3, old RS to 8 first; then, with each batch of new pods available together, the budget
        // frees whole batches: 13 − 8 − 0 = 5 old pods may go once the 5 new ones are available.
        assert_eq!(rolling_steps(10, 3, 2), [(3, 10), (3, 8), (5, 8), (5, 3), (10, 3), (10, 0)]);
    }

    #[test]
    fn other_replica_counts_and_settings() {
        // 3 replicas at 25%/25%: surge 1, unavailable 0 — one pod at a time, never below 3 available.
        assert_eq!(rolling_steps(3, 1, 0), [(1, 3), (1, 2), (2, 2), (2, 1), (3, 1), (3, 0)]);
        // maxSurge 0, maxUnavailable 1: the old RS shrinks first.
        assert_eq!(rolling_steps(2, 0, 1), [(0, 1), (1, 1), (1, 0), (2, 0)]);
        // 4 replicas, maxSurge 100%, maxUnavailable 0: blue/green-like.
        assert_eq!(rolling_steps(4, 4, 0), [(4, 4), (4, 0)]);
        // 5 replicas, maxSurge 2, maxUnavailable 2.
        assert_eq!(rolling_steps(5, 2, 2), [(2, 5), (2, 3), (4, 3), (4, 0), (5, 0)]);
    }

    #[test]
    fn proportional_scaling_shares() {
        // 10 → 20 replicas mid-rollout (25%: max 13 → 26): new RS 5, old RS 8 annotated 13.
        let to_add = 26 - 13;
        let big = proportion(8, 20, Some(13), 13, 26, to_add, 0);
        assert_eq!(big, 8);
        let small = proportion(5, 20, Some(13), 13, 26, to_add, big);
        assert_eq!(small, 5);
        // Scaling down to 0 takes each RS whole.
        assert_eq!(proportion(4, 0, Some(13), 13, 0, -13, 0), -4);
        // No annotation and no status: no share (the leftover goes to the largest RS).
        assert_eq!(proportion(4, 5, None, 0, 7, 2, 0), 0);
    }

    #[test]
    fn hashes_render_with_the_safe_alphabet() {
        assert_eq!(fnv32a(b""), 0x811c9dc5);
        assert_eq!(fnv32a(b"a"), 0xe40c292c);
        assert_eq!(safe_encode("0123456789"), "456789bcdf");
        let h = compute_hash(br#"{"spec":{}}"#, None);
        assert!(h.chars().all(|c| "bcdfghjklmnpqrstvwxz2456789".contains(c)));
        assert_ne!(h, compute_hash(br#"{"spec":{}}"#, Some(1)));
    }
}
