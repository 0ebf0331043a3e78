//! Where the CPU of a phase went: the server process, this load generator, and the whole
//! machine (the rest is the database server on PostgreSQL, and anything else running). On two
//! shared cores this bounds the rate: requests/s can never pass 2,000 ms / (CPU ms per request).

/// CPU time consumed so far, in clock ticks (`sysconf(_SC_CLK_TCK)`, 100 on Linux).
#[derive(Debug, Clone, Copy)]
pub struct CpuClock {
    server: u64,
    client: u64,
    machine_busy: u64,
}

const TICK_MS: f64 = 10.0;

/// utime + stime of a process (fields 14 and 15 of `/proc/PID/stat`, after the command name).
fn process_ticks(stat_path: &str) -> u64 {
    let stat = std::fs::read_to_string(stat_path).unwrap_or_default();
    let Some(after_name) = stat.rsplit_once(')').map(|(_, rest)| rest) else {
        return 0;
    };
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    // After ")": state is field 3, so utime (14) and stime (15) are at 11 and 12.
    let field = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0)
    };
    field(11) + field(12)
}

/// All non-idle time on all CPUs (`/proc/stat`'s first line, minus idle and iowait).
fn machine_busy_ticks() -> u64 {
    let stat = std::fs::read_to_string("/proc/stat").unwrap_or_default();
    let Some(line) = stat.lines().next() else {
        return 0;
    };
    let values: Vec<u64> = line
        .split_whitespace()
        .skip(1)
        .filter_map(|v| v.parse().ok())
        .collect();
    // user nice system idle iowait irq softirq steal guest guest_nice; guest is in user.
    let busy: u64 = values.iter().take(8).sum();
    let idle = values.get(3).copied().unwrap_or(0) + values.get(4).copied().unwrap_or(0);
    busy.saturating_sub(idle)
}

impl CpuClock {
    pub fn now(server_pid: u32) -> CpuClock {
        CpuClock {
            server: process_ticks(&format!("/proc/{server_pid}/stat")),
            client: process_ticks("/proc/self/stat"),
            machine_busy: machine_busy_ticks(),
        }
    }

    /// "CPU ms per request: server S, load generator C, machine M" since `self`.
    pub fn per_request(&self, later: &CpuClock, requests: usize) -> String {
        if requests == 0 {
            return String::new();
        }
        let per = |from: u64, to: u64| to.saturating_sub(from) as f64 * TICK_MS / requests as f64;
        format!(
            "CPU ms/request: server {:.2}, load generator {:.2}, whole machine {:.2}",
            per(self.server, later.server),
            per(self.client, later.client),
            per(self.machine_busy, later.machine_busy)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_this_process_and_the_machine() {
        let before = CpuClock::now(std::process::id());
        let mut x = 0u64;
        for i in 0..50_000_000u64 {
            x = x.wrapping_mul(31).wrapping_add(i);
        }
        std::hint::black_box(x);
        let after = CpuClock::now(std::process::id());
        assert!(after.client > before.client, "{before:?} {after:?}");
        assert!(after.machine_busy >= after.client - before.client);
        assert!(before
            .per_request(&after, 1)
            .starts_with("CPU ms/request: server "));
        assert_eq!(before.per_request(&after, 0), "");
    }
}
