//! Any text typed into the terminal (one or more lines, heredocs included) must be answered, never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let mut pg = playground::Playground::new(0);
        let _ = pg.exec(text);
        let _ = pg.exec(&format!("kubectl {text}"));
    }
});
