//! Any bytes as one version of a document in history → its facts (status,
//! metric targets, milestone due dates), never a panic, a hang or an abort.
//! The history walk reads every version of every pilot this way, including
//! versions no check ever saw.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let facts = pilotbook_history::read_facts(data);
    // Facts are read from the text: none can be longer than it.
    for (a, b) in facts.targets.iter().chain(&facts.dues) {
        assert!(a.len() + b.len() <= data.len(), "{facts:?}");
    }
});
