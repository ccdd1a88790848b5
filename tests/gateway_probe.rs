//! The `--deep` gateway probe: what it reports for each way a gateway can
//! answer (the texts OpenClaw 2026.9.6 reports for the same fake gateways,
//! found by pointing `openclaw security audit --deep` at them), what it
//! sends (no credential, nothing but the upgrade and a close), and who may
//! open connections (the built-in pack with --deep; another pack only with
//! --allow-network as well).

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use clawcheck_tests::case::Case;
use clawcheck_tests::home::Home;
use serde_json::{Value, json};

const TOKEN: &str = "gw-token-that-must-stay-home-0123456789";

/// How the fake gateway answers a connection.
#[derive(Clone, Copy)]
enum Answer {
    /// Closes the connection without reading.
    HangUp,
    /// Answers the upgrade with a plain 404.
    NotFound,
    /// Accepts the upgrade, then closes with 4001 "go away".
    Closes,
    /// Accepts the upgrade and sends OpenClaw's `connect.challenge` event.
    Challenges,
    /// Answers with an endless header.
    Floods,
    /// Accepts the upgrade, then pings without end.
    Pings,
}

/// A gateway on a loopback port that answers every connection the same way
/// and keeps what each client sent.
struct FakeGateway {
    port: u16,
    received: Arc<Mutex<Vec<Vec<u8>>>>,
}

impl FakeGateway {
    fn start(answer: Answer) -> FakeGateway {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let received = Arc::new(Mutex::new(Vec::new()));
        let log = received.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let log = log.clone();
                std::thread::spawn(move || serve(stream, answer, &log));
            }
        });
        FakeGateway { port, received }
    }

    /// What each connection sent, in order (a connection the gateway hung
    /// up on without reading counts as an empty one).
    fn received(&self) -> Vec<String> {
        self.received_bytes().iter().map(|b| String::from_utf8_lossy(b).into_owned()).collect()
    }

    fn received_bytes(&self) -> Vec<Vec<u8>> {
        self.received.lock().unwrap().clone()
    }
}

fn serve(mut s: TcpStream, answer: Answer, log: &Mutex<Vec<Vec<u8>>>) {
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    if let Answer::HangUp = answer {
        log.lock().unwrap().push(Vec::new());
        return;
    }
    let mut request = Vec::new();
    let mut buf = [0u8; 4096];
    while !request.windows(4).any(|w| w == b"\r\n\r\n") {
        match s.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => request.extend_from_slice(&buf[..n]),
        }
    }
    let text = String::from_utf8_lossy(&request).into_owned();
    let key = text
        .lines()
        .find_map(|l| l.strip_prefix("Sec-WebSocket-Key: ").or_else(|| l.strip_prefix("sec-websocket-key: ")))
        .unwrap_or_default()
        .trim()
        .to_string();
    let accepted = format!(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {}\r\n\r\n",
        tungstenite::handshake::derive_accept_key(key.as_bytes())
    );
    let frame = |opcode: u8, payload: &[u8]| {
        let mut f = vec![0x80 | opcode, payload.len() as u8];
        f.extend_from_slice(payload);
        f
    };
    let _ = match answer {
        Answer::HangUp => unreachable!("handled above"),
        Answer::NotFound => s.write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"),
        Answer::Closes => {
            let mut payload = 4001u16.to_be_bytes().to_vec();
            payload.extend_from_slice(b"go away");
            s.write_all(accepted.as_bytes()).and_then(|()| s.write_all(&frame(0x8, &payload)))
        }
        Answer::Challenges => {
            let event = br#"{"type":"event","event":"connect.challenge","payload":{"nonce":"n-1","ts":1}}"#;
            let sent = s.write_all(accepted.as_bytes()).and_then(|()| s.write_all(&frame(0x1, event)));
            // What the client sends after the greeting.
            while let Ok(n) = s.read(&mut buf) {
                if n == 0 {
                    break;
                }
                request.extend_from_slice(&buf[..n]);
            }
            sent
        }
        Answer::Pings => {
            let mut sent = s.write_all(accepted.as_bytes());
            let ping = frame(0x9, &[b'p'; 100]);
            for _ in 0..100_000 {
                sent = sent.and_then(|()| s.write_all(&ping));
                if sent.is_err() {
                    break;
                }
            }
            sent
        }
        Answer::Floods => {
            let line = format!("X-Pad: {}\r\n", "a".repeat(1000));
            let mut sent = s.write_all(b"HTTP/1.1 101 Switching Protocols\r\n");
            for _ in 0..400 {
                sent = sent.and_then(|()| s.write_all(line.as_bytes()));
            }
            sent
        }
    };
    log.lock().unwrap().push(request);
}

/// `audit --deep --json` of a HOME whose gateway listens on `port`, with a
/// token in the config: the exit status, the report and standard error.
fn deep_audit(home: &Home, extra: &[&str]) -> (u8, Value, String) {
    let mut args = vec!["audit", "--deep", "--json", "--no-settings", "--fail-on", "never"];
    args.extend_from_slice(extra);
    let run = home.run(&args);
    let out = serde_json::from_str(&run.out).unwrap_or_else(|e| panic!("not JSON ({e}):\n{}\n{}", run.out, run.err));
    (run.code, out, run.err)
}

fn home_for(port: u16) -> Home {
    Home::with_config(&format!(
        r#"{{ "gateway": {{ "port": {port}, "auth": {{ "mode": "token", "token": "{TOKEN}" }} }} }}"#
    ))
}

/// The details of the report's gateway.probe_failed findings.
fn probe_failures(report: &Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["checkId"] == "gateway.probe_failed")
        .map(|f| f["detail"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn each_answer_is_reported_in_openclaws_words() {
    // (answer, deep.gateway.error, deep.gateway.close): OpenClaw's for the same fake gateway.
    let cases = [
        (Answer::HangUp, "socket hang up", json!({"code": 1006, "reason": ""})),
        (Answer::NotFound, "gateway rejected websocket upgrade (HTTP 404)", json!({"code": 1006, "reason": ""})),
        (Answer::Closes, "gateway closed (4001): go away", json!({"code": 4001, "reason": "go away"})),
    ];
    for (answer, error, close) in cases {
        let gateway = FakeGateway::start(answer);
        let home = home_for(gateway.port);
        let (code, report, err) = deep_audit(&home, &[]);
        assert_eq!(code, 0, "{err}");
        let url = format!("ws://127.0.0.1:{}", gateway.port);
        assert_eq!(
            report["deep"],
            json!({"gateway": {"attempted": true, "url": url, "ok": false, "error": error, "close": close}}),
            "{error}"
        );
        assert_eq!(probe_failures(&report), [error]);
        assert_eq!(gateway.received().len(), 1, "one connection for {error}");
    }
}

#[test]
fn a_gateway_that_greets_the_probe_passes_and_hears_only_the_upgrade_and_a_close() {
    let gateway = FakeGateway::start(Answer::Challenges);
    let home = home_for(gateway.port);
    let (code, report, err) = deep_audit(&home, &["--token", "cli-token-also-stays-home-42"]);
    assert_eq!(code, 0, "{err}");
    let url = format!("ws://127.0.0.1:{}", gateway.port);
    assert_eq!(
        report["deep"],
        json!({"gateway": {"attempted": true, "url": url, "ok": true, "error": null, "close": null}})
    );
    assert!(probe_failures(&report).is_empty());
    let received = gateway.received_bytes();
    assert_eq!(received.len(), 1);
    let end = received[0].windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
    let (request, after) = (String::from_utf8(received[0][..end].to_vec()).unwrap(), &received[0][end..]);
    let mut lines: Vec<&str> = request.lines().filter(|l| !l.is_empty()).collect();
    assert_eq!(lines.remove(0), "GET / HTTP/1.1");
    let mut names: Vec<String> = lines.iter().map(|l| l.split(':').next().unwrap().to_ascii_lowercase()).collect();
    names.sort();
    assert_eq!(names, ["connection", "host", "sec-websocket-key", "sec-websocket-version", "upgrade"]);
    let all = String::from_utf8_lossy(&received[0]);
    assert!(!all.contains(TOKEN) && !all.contains("cli-token"), "a credential was sent:\n{request}");
    // After the upgrade: one masked close frame (opcode 8), nothing else.
    assert_eq!(after.first(), Some(&0x88), "{after:?}");
    assert_eq!(after.len(), 6, "a close frame without a status is 2 header bytes and a 4-byte mask: {after:?}");
}

#[test]
fn the_url_s_user_info_query_and_fragment_are_never_sent_and_are_redacted_in_the_report() {
    let gateway = FakeGateway::start(Answer::NotFound);
    let url = format!("ws://alice:pw-{TOKEN}@127.0.0.1:{}/gw?token={TOKEN}&x=1#frag", gateway.port);
    let home =
        Home::with_config(&format!(r#"{{ "gateway": {{ "mode": "remote", "remote": {{ "url": "{url}" }} }} }}"#));
    let (_, report, err) = deep_audit(&home, &[]);
    let received = gateway.received();
    assert_eq!(received.len(), 1, "{err}");
    assert!(received[0].starts_with("GET /gw HTTP/1.1\r\n"), "{}", received[0]);
    assert!(!received[0].contains(TOKEN) && !received[0].contains("alice"), "{}", received[0]);
    assert!(!received[0].to_ascii_lowercase().contains("authorization"), "{}", received[0]);
    let shown = format!("ws://***:***@127.0.0.1:{}/gw?token=***&x=1#frag", gateway.port);
    assert_eq!(report["deep"]["gateway"]["url"], json!(shown));
}

#[test]
fn a_gateway_that_never_stops_talking_is_cut_off() {
    // An endless response head: OpenClaw's HTTP parser gives up with this message.
    let gateway = FakeGateway::start(Answer::Floods);
    let home = home_for(gateway.port);
    let (code, report, err) = deep_audit(&home, &[]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(report["deep"]["gateway"]["error"], json!("Parse Error: Header overflow"));
    assert_eq!(probe_failures(&report), ["Parse Error: Header overflow"]);
    // Endless pings after the upgrade: OpenClaw answers them until the gateway closes;
    // clawcheck stops at its byte limit and says so.
    let gateway = FakeGateway::start(Answer::Pings);
    let home = home_for(gateway.port);
    let (code, report, err) = deep_audit(&home, &[]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        report["deep"]["gateway"],
        json!({"attempted": true, "url": format!("ws://127.0.0.1:{}", gateway.port), "ok": false,
               "error": "the gateway sent more than 262144 bytes", "close": {"code": 1006, "reason": ""}})
    );
}

#[test]
fn without_deep_nothing_connects_and_the_report_has_no_deep_member() {
    let gateway = FakeGateway::start(Answer::Challenges);
    let home = home_for(gateway.port);
    let run = home.run(&["audit", "--json", "--no-settings", "--fail-on", "never"]);
    assert_eq!(run.code, 0, "{}", run.err);
    let report: Value = serde_json::from_str(&run.out).unwrap();
    assert_eq!(report.get("deep"), None);
    assert!(gateway.received().is_empty());
}

/// An organisation pack with a probe fact of its own, and a rule printing it.
fn probing_pack(home: &Home, port: u16) -> String {
    let dir = home.path().join("prober");
    std::fs::create_dir_all(dir.join("rules")).unwrap();
    let manifest = format!(
        "pack:\n  name: prober\n  extends: [builtin]\nfacts:\n  elsewhere:\n    websocket_probe: \"'ws://127.0.0.1:{port}/x'\"\n    timeout_ms: 2000\n"
    );
    std::fs::write(dir.join("pack.yaml"), manifest).unwrap();
    std::fs::write(
        dir.join("rules/prober.seen.yaml"),
        "id: prober.seen\ntitle: Probed\nseverity: info\nwhen: fs.elsewhere.attempted\ndetail: '{fs.elsewhere.error}'\n",
    )
    .unwrap();
    dir.display().to_string()
}

#[test]
fn another_pack_connects_only_when_the_user_allows_the_network() {
    let gateway = FakeGateway::start(Answer::NotFound);
    let other = FakeGateway::start(Answer::HangUp);
    let home = home_for(gateway.port);
    let pack = probing_pack(&home, other.port);

    let (code, report, err) = deep_audit(&home, &["--pack", &pack]);
    assert_eq!(code, 2, "an incomplete audit exits 2\n{err}");
    assert!(err.contains("clawcheck::facts::network"), "{err}");
    assert!(
        err.contains(&format!(
            "fact `elsewhere` was not gathered: it would open a connection to ws://127.0.0.1:{}/x",
            other.port
        )),
        "{err}"
    );
    assert!(other.received().is_empty(), "the pack connected without permission");
    assert!(!report["findings"].as_array().unwrap().iter().any(|f| f["checkId"] == "prober.seen"));
    assert_eq!(gateway.received().len(), 1, "the built-in probe still ran");

    let (code, report, err) = deep_audit(&home, &["--pack", &pack, "--allow-network"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(other.received().len(), 1);
    let seen: Vec<&Value> =
        report["findings"].as_array().unwrap().iter().filter(|f| f["checkId"] == "prober.seen").collect();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0]["detail"], json!("socket hang up"));

    // Without --deep, not even an allowed pack connects.
    let run = home.run(&["audit", "--json", "--no-settings", "--pack", &pack, "--allow-network"]);
    assert_eq!(run.code, 2, "--allow-network needs --deep");
    assert!(run.err.contains("--deep"), "{}", run.err);
    let run = home.run(&["audit", "--json", "--no-settings", "--fail-on", "never", "--pack", &pack]);
    assert_eq!(run.code, 0, "{}", run.err);
    assert_eq!(other.received().len(), 1, "no connection without --deep");
}

/// Every recorded `--deep` case: clawcheck's `deep` member equals OpenClaw's.
#[test]
fn recorded_deep_cases_report_openclaws_deep_member() {
    let cases: Vec<Case> = Case::all_recorded()
        .into_iter()
        .filter(|c| {
            std::fs::read_to_string(c.dir.join("args")).is_ok_and(|a| a.split_whitespace().any(|w| w == "--deep"))
        })
        .collect();
    assert!(cases.len() >= 11, "the deep cases: found {}", cases.len());
    for case in cases {
        let peer: Value = serde_json::from_str(&std::fs::read_to_string(case.dir.join("peer.json")).unwrap()).unwrap();
        let prepared = case.prepare().unwrap_or_else(|e| panic!("{}: setup: {e}", case.name));
        let run = prepared.run(&["audit", "--json", "--fail-on", "never"]);
        let ours: Value = serde_json::from_str(&run.out).unwrap_or_else(|e| panic!("{}: {e}\n{}", case.name, run.err));
        assert_eq!(ours["deep"], peer["deep"], "{}", case.name);
        assert_ne!(ours["deep"], Value::Null, "{}", case.name);
    }
}
