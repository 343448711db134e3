//! Time and progress of a running BACKUP/RESTORE: the virtual bytes flow at the scenario's
//! throughput; STATS messages (3211) stream as percentages are crossed; `sys.dm_exec_requests`
//! shows `percent_complete`; ATTENTION and the drop-connection fault stop the work.

use std::time::{Duration, Instant};

use super::messages;
use crate::exec::{ExecContext, ExecError};

/// Longest sleep between two progress updates.
const TICK: Duration = Duration::from_millis(50);

/// Why the work stopped early.
#[derive(Debug)]
pub enum Stop {
    /// ATTENTION from the client or a closed session.
    Cancelled,
    /// The drop-connection fault fired at this percentage.
    Drop(u32),
}

impl From<Stop> for ExecError {
    fn from(s: Stop) -> Self {
        match s {
            Stop::Cancelled => ExecError::Cancelled,
            Stop::Drop(p) => ExecError::DropConnection(format!("fault: drop connection at {p} percent")),
        }
    }
}

pub struct Progress<'a> {
    ctx: &'a ExecContext,
    stats: Option<u32>,
    next_stat: u32,
    start: Instant,
    total: Duration,
}

/// Seconds the work takes: `bytes` at `mb_per_s` (MB = 2^20 bytes). Non-positive throughput
/// means "as fast as possible".
pub fn duration_for(bytes: u64, mb_per_s: f64) -> Duration {
    if mb_per_s.is_nan() || mb_per_s <= 0.0 || !mb_per_s.is_finite() {
        return Duration::ZERO;
    }
    Duration::from_secs_f64(bytes as f64 / (mb_per_s * 1024.0 * 1024.0))
}

/// The STATS percentages crossed when progress moves from `from` (exclusive, starting at
/// `next`) to `to`: returns them and the next threshold.
pub fn stats_crossed(next: u32, step: u32, to: u32) -> (Vec<u32>, u32) {
    let step = step.max(1);
    let mut n = next;
    let mut out = Vec::new();
    while n <= to.min(100) {
        out.push(n);
        n += step;
    }
    (out, n)
}

impl<'a> Progress<'a> {
    pub fn new(ctx: &'a ExecContext, stats: Option<u32>, virtual_bytes: u64) -> Self {
        let total = duration_for(virtual_bytes, ctx.server.scenario.throughput_mb_per_s);
        let step = stats.unwrap_or(0).max(1);
        Progress { ctx, stats: stats.filter(|s| *s > 0), next_stat: step, start: Instant::now(), total }
    }

    pub fn elapsed(&self) -> Duration {
        self.start.elapsed()
    }

    /// Fraction of the work done by the clock, capped at `cap` (≤ 1).
    fn fraction(&self, cap: f64) -> f64 {
        let f = if self.total.is_zero() {
            1.0
        } else {
            self.start.elapsed().as_secs_f64() / self.total.as_secs_f64()
        };
        f.min(cap).min(1.0)
    }

    /// Wait one tick (or until `cap` is reached), then report progress up to the current
    /// fraction: STATS messages, `percent_complete`, the drop fault. Returns the fraction.
    pub async fn tick(&mut self, cap: f64) -> Result<f64, Stop> {
        let cap = cap.min(1.0);
        let now_f = self.fraction(cap);
        if now_f < cap {
            let remaining = self.total.mul_f64(cap - now_f);
            let wait = remaining.min(TICK);
            tokio::select! {
                _ = self.ctx.cancel.cancelled() => return Err(Stop::Cancelled),
                _ = tokio::time::sleep(wait) => {}
            }
        }
        if self.ctx.is_cancelled() {
            return Err(Stop::Cancelled);
        }
        let f = self.fraction(cap);
        self.report(f).await?;
        Ok(f)
    }

    /// Report progress `f` (0..=1) without waiting.
    pub async fn report(&mut self, f: f64) -> Result<(), Stop> {
        let percent = (f * 100.0).floor() as u32;
        let remaining_ms = self.total.mul_f64(1.0 - f.min(1.0)).as_millis() as i64;
        self.ctx.server.set_progress(self.ctx.session_id, (f * 100.0) as f32, remaining_ms);
        // The STATS steps passed before the drop point go out first, also when a tick jumps over
        // several (a loaded machine): the client sees every step below where the connection dies.
        let drop_at = self.ctx.server.faults().drop_connection_at_percent.filter(|at| percent >= *at);
        if let Some(step) = self.stats {
            let shown = drop_at.map_or(percent, |at| at.saturating_sub(1));
            let (crossed, next) = stats_crossed(self.next_stat, step, shown);
            self.next_stat = next;
            for p in crossed {
                self.ctx.info(messages::percent(p)).await.map_err(|_| Stop::Cancelled)?;
            }
        }
        match drop_at {
            Some(at) => Err(Stop::Drop(at)),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stats_thresholds() {
        assert_eq!(stats_crossed(10, 10, 35), (vec![10, 20, 30], 40));
        assert_eq!(stats_crossed(40, 10, 39), (vec![], 40));
        assert_eq!(stats_crossed(90, 10, 100), (vec![90, 100], 110));
        assert_eq!(stats_crossed(110, 10, 100), (vec![], 110));
        assert_eq!(stats_crossed(33, 33, 100), (vec![33, 66, 99], 132));
    }

    #[test]
    fn durations() {
        assert_eq!(duration_for(100 * 1024 * 1024, 50.0), Duration::from_secs(2));
        assert_eq!(duration_for(1, 0.0), Duration::ZERO);
    }
}
