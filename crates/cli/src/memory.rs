//! Allocator tuning for a small resident set.
//!
//! Each sign-in's argon2id check allocates a 19 MiB block. glibc serves the first one with mmap
//! and returns it on free, but then raises its mmap threshold to that size, so later blocks come
//! from the heap arenas and stay resident: after ten sign-ins the server held 99 MiB instead of
//! 22 MiB. A fixed threshold of 1 MiB keeps every large block on mmap, returned to the system as
//! soon as it is freed (measured with `faktura-load`: 99 → 22 MiB after ten sign-ins, peak under
//! the pay load 103 → 41 MiB). Setting it also turns off glibc's dynamic adjustment.

/// Keeps allocations of 1 MiB and more on mmap (glibc only; elsewhere nothing to do).
pub fn tune_allocator() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // glibc's mallopt(3): M_MMAP_THRESHOLD is -3; it returns 1 on success.
        const M_MMAP_THRESHOLD: i32 = -3;
        extern "C" {
            fn mallopt(param: i32, value: i32) -> i32;
        }
        // SAFETY: mallopt only changes the allocator's parameters; it is called once, first
        // thing in main, before any other thread exists.
        let _ = unsafe { mallopt(M_MMAP_THRESHOLD, 1024 * 1024) };
    }
}
