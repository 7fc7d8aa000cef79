//! The `pilotbook` binary: parse arguments, run one command, exit 0, 1 or 2.

mod cli;
mod cmd;
mod scaffold;

use std::process::ExitCode;

// Parsing thousands of documents in parallel is allocation-heavy; mimalloc's
// per-thread heaps measured ~10% fewer instructions and less contention than
// glibc's malloc on a 10,000-pilot portfolio.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's `mi_option_purge_delay` (its place in mimalloc 3's
/// `mi_option_e`; a test holds it to the option's default).
const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// How long mimalloc keeps memory it freed before giving it back, in ms.
/// Its default, 1 s (10 s for whole arenas), outlasts most commands: a
/// build's peak was then every page any phase had used (the walk's object
/// caches, then the facts', then the pages'), not the largest phase.
/// 10 ms returns what one page or one phase freed before the next one
/// grows, and measured no slower at 10,000 pilots than 100 ms (which left
/// the 2,000-pilot build ~10 MiB higher); 0–5 ms made the 10,000-pilot
/// build fault its large, short-lived tree buffers in again and again
/// (seconds of system time).
const PURGE_DELAY_MS: std::ffi::c_long = 10;

fn main() -> ExitCode {
    // `MIMALLOC_PURGE_DELAY` in the environment still decides.
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
        // SAFETY: sets a plain integer option; mimalloc reads options
        // atomically, and no other thread runs yet.
        unsafe { libmimalloc_sys::mi_option_set(PURGE_DELAY, PURGE_DELAY_MS) };
    }
    cli::run()
}

#[cfg(test)]
mod tests {
    /// The option index names the purge delay: no other mimalloc 3
    /// option defaults to 1000 (a mimalloc whose options moved fails here).
    #[test]
    fn purge_delay_index_names_the_purge_delay() {
        if std::env::var_os("MIMALLOC_PURGE_DELAY").is_some() {
            return;
        }
        // SAFETY: reads a plain integer option.
        let value = unsafe { libmimalloc_sys::mi_option_get(super::PURGE_DELAY) };
        assert_eq!(value, 1000);
    }
}
