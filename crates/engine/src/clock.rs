//! Simulated time. The engine never reads the wall clock: time moves only when the session says so
//! (`step`, `sleep`, a command that waits), which is what makes a session replayable.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use k8s_openapi::jiff::Timestamp;

/// Milliseconds since the simulated cluster was created.
pub type Millis = u64;

/// The wall-clock instant that simulated time 0 stands for in timestamps the API shows
/// (`creationTimestamp`, event times): 2025-08-27T00:00:00Z, the day Kubernetes v1.34 was released.
pub const EPOCH_UNIX_SECONDS: i64 = 1_756_252_800;

/// The simulation's clock: a counter owned by the cluster and advanced only explicitly.
#[derive(Clone, Debug, Default)]
pub struct Clock {
    now_ms: Millis,
}

impl Clock {
    pub fn now(&self) -> Millis {
        self.now_ms
    }

    pub fn advance(&mut self, ms: Millis) {
        self.now_ms = self.now_ms.saturating_add(ms);
    }
}

/// The API timestamp for a simulated instant. API timestamps have whole-second precision.
pub fn api_time(ms: Millis) -> Time {
    let secs = EPOCH_UNIX_SECONDS + (ms / 1000) as i64;
    Time(Timestamp::from_second(secs).expect("simulated time stays within jiff's range"))
}

/// The simulated instant an API timestamp stands for (0 for instants before the epoch).
pub fn sim_millis(t: &Time) -> Millis {
    let secs = t.0.as_second() - EPOCH_UNIX_SECONDS;
    if secs <= 0 {
        0
    } else {
        secs as u64 * 1000
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_time_round_trips_whole_seconds() {
        assert_eq!(api_time(0).0.to_string(), "2025-08-27T00:00:00Z");
        assert_eq!(sim_millis(&api_time(90_500)), 90_000);
    }

    #[test]
    fn clock_only_moves_forward_when_told() {
        let mut c = Clock::default();
        assert_eq!(c.now(), 0);
        c.advance(1500);
        c.advance(500);
        assert_eq!(c.now(), 2000);
    }
}
