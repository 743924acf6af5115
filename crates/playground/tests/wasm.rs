//! The façade compiled to WebAssembly and run in headless Chromium (wasm-bindgen-test): the same session
//! must give the same transcript in the browser as natively.
#![cfg(target_arch = "wasm32")]

use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn get_nodes_in_the_browser() {
    let transcript = playground::run_script("kubectl get nodes\n", 0).expect("parses");
    assert!(transcript.starts_with("$ kubectl get nodes\nNAME              STATUS   ROLES           AGE   VERSION\n"));
    assert_eq!(transcript.lines().filter(|l| l.contains(" Ready ")).count(), 5);
}

#[wasm_bindgen_test]
fn sessions_replay_identically_in_wasm() {
    let mut pg = playground::Playground::new(7);
    pg.exec("kubectl get nodes -o wide").unwrap();
    pg.step(1500);
    pg.exec("sleep 1m\nkubectl get node worker-2 -o json").unwrap();
    let again = playground::Playground::replay(pg.session());
    assert_eq!(again.now(), 61_500);
    assert_eq!(again.snapshot(), pg.snapshot());
    let native_style = playground::run_script("kubectl get node worker-1 -o json\n", 7).unwrap();
    assert!(native_style.contains("\"machineID\""), "{native_style}");
}
