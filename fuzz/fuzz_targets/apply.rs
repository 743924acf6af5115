//! Any manifest fed to `kubectl apply -f -` (and `create -f -`) must be answered, never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let mut pg = playground::Playground::new(0);
        let script = format!("kubectl apply -f - <<'END_OF_MANIFEST'\n{text}\nEND_OF_MANIFEST\nkubectl create -f - <<'END_OF_MANIFEST'\n{text}\nEND_OF_MANIFEST\n");
        let _ = pg.exec(&script);
    }
});
