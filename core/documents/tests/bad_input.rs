//! Bad input never breaks a document: characters outside the font are replaced and
//! reported, very long values wrap, missing fields give a clear error, and arbitrary
//! strings through the layout helper never panic (property tests).

mod samples;

use std::process::Command;

use loket_documents::layout::{
    Align, Column, Flow, PageSize, Running, SignatureBox, Style, Table, wrap_with,
};
use loket_documents::*;
use proptest::prelude::*;
use samples::*;

fn fonts() -> Fonts {
    Fonts::system().expect("DejaVu fonts (fonts-dejavu-core) are installed")
}

fn pdftotext(pdf: &[u8]) -> Option<String> {
    if Command::new("pdftotext").arg("-v").output().is_err() {
        assert_ne!(
            std::env::var("LOKET_REQUIRE_ALL").as_deref(),
            Ok("1"),
            "poppler-utils required"
        );
        eprintln!("SKIP text check: poppler-utils not installed");
        return None;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("doc.pdf");
    std::fs::write(&path, pdf).expect("write");
    let out = Command::new("pdftotext")
        .arg("-layout")
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext");
    assert!(
        out.status.success(),
        "pdftotext rejects the file: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(
        String::from_utf8_lossy(&out.stdout)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" "),
    )
}

#[test]
fn characters_outside_the_font_are_replaced_and_reported() {
    let mut b = bap();
    b.applicant.full_name = "Siti क Nurhaliza 中文 \u{E000}\u{1b}".to_string();
    let doc = render_bap(&fonts(), &b).expect("renders");
    for c in ['क', '中', '文', '\u{E000}', '\u{1b}'] {
        assert!(
            doc.replaced.contains(&c),
            "{c:?} reported in {:?}",
            doc.replaced
        );
    }
    if let Some(text) = pdftotext(&doc.pdf) {
        assert!(text.contains("Siti"), "{text}");
        assert!(text.contains("Nurhaliza"));
        assert!(text.contains("Zhong Wen"), "CJK transliterated: {text}");
    }
}

#[test]
fn very_long_names_wrap_and_stay_whole() {
    let long = format!("{LONG_NAME} {LONG_NAME}");
    let mut t = ticket();
    t.office_name = long.clone();
    let doc = render_ticket(&fonts(), &t).expect("ticket renders");
    let mut b = bap();
    b.applicant.full_name = long.clone();
    b.chronology = "Panjang sekali. ".repeat(400);
    let bap_doc = render_bap(&fonts(), &b).expect("BAP renders");
    assert!(
        bap_doc.pages >= 3,
        "long chronology runs onto more pages: {}",
        bap_doc.pages
    );
    for pdf in [&doc.pdf, &bap_doc.pdf] {
        if let Some(text) = pdftotext(pdf) {
            for word in LONG_NAME.split_whitespace() {
                assert!(text.contains(word), "{word} in {text}");
            }
        }
    }
    let mut t = ticket();
    t.ticket_number = "X".repeat(80);
    assert!(
        render_ticket(&fonts(), &t).is_ok(),
        "an absurd number still renders (wrapped)"
    );
}

#[test]
fn missing_fields_give_clear_errors_or_blank_lines() {
    let mut b = bap();
    b.applicant.full_name = " ".to_string();
    let err = render_bap(&fonts(), &b).expect_err("name required");
    assert!(
        err.to_string()
            .starts_with("Data BAP tidak lengkap: nama pemohon"),
        "{err}"
    );
    let mut t = ticket();
    t.visit_id.clear();
    assert!(matches!(
        render_ticket(&fonts(), &t),
        Err(DocumentError::MissingField { .. })
    ));
    let mut r = receipt();
    r.handover.passport_number.clear();
    assert!(render_pickup_receipt(&fonts(), &r).is_err());
    assert!(render_daily_reports(&fonts(), &[]).is_err());

    // Optional fields left empty render as blank lines or dashes.
    let mut b = bap();
    b.applicant.nik.clear();
    b.old_passport = OldPassport::default();
    b.questions.clear();
    b.documents.clear();
    b.outcome = None;
    let doc = render_bap(&fonts(), &b).expect("renders with blanks");
    if let Some(text) = pdftotext(&doc.pdf) {
        assert!(
            text.contains("☐ Permohonan disetujui dengan biaya beban Rp .........."),
            "{text}"
        );
    }
    let empty = PickupRegister {
        entries: Vec::new(),
        ..register(0)
    };
    assert_eq!(
        render_pickup_register(&fonts(), &empty)
            .expect("renders")
            .pages,
        1
    );
    let mut day = report(1);
    day.waiting_overall.mean = f64::NAN;
    day.services.clear();
    day.arrivals_per_hour.clear();
    assert!(render_daily_report(&fonts(), &day).is_ok());
}

#[test]
fn missing_fonts_are_a_clear_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let err = Fonts::from_dir(dir.path()).expect_err("no fonts there");
    assert!(err.to_string().contains("fonts-dejavu-core"), "{err}");
    std::fs::write(dir.path().join("DejaVuSans.ttf"), b"not a font").expect("write");
    let err = Fonts::from_dir(dir.path()).expect_err("bad font");
    assert!(matches!(err, DocumentError::FontInvalid { .. }), "{err:?}");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn wrapped_lines_fit_and_keep_every_character(text in "[a-zA-Zé ]{0,300}", width in 5.0f32..400.0) {
        let fonts = fonts();
        let lines = wrap_with(&fonts.regular, &text, 10.0, width);
        for line in &lines {
            prop_assert!(fonts.regular.width(line, 10.0) <= width || line.chars().count() == 1, "{line:?} wider than {width}");
        }
        let kept: String = lines.concat().chars().filter(|c| *c != ' ').collect();
        let given: String = text.chars().filter(|c| *c != ' ').collect();
        prop_assert_eq!(kept, given);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 6, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_strings_through_the_layout_never_break_the_pdf(
        a in any::<String>(),
        b in proptest::collection::vec(any::<String>(), 0..6),
        long in "[a-z]{200,2000}",
    ) {
        let fonts = fonts();
        let running = Running { header_left: a.clone(), header_right: long.clone(), footer_left: a.clone() };
        let mut flow = Flow::new(&fonts, &a, PageSize::A6, Some(running));
        flow.paragraph(&a, Style::BODY);
        flow.paragraph(&long, Style::TITLE.aligned(Align::Right));
        flow.section(&a);
        let pairs: Vec<(&str, &str)> = b.iter().map(|s| (s.as_str(), a.as_str())).collect();
        flow.fields(&pairs, 0.3);
        flow.table(&Table {
            columns: vec![Column::new(&a, 1.0, Align::Left), Column::new("x", 0.0, Align::Right)],
            rows: vec![b.clone(), vec![long.clone(), long.repeat(3)]],
            min_row_mm: 5.0,
            ..Table::default()
        });
        flow.signatures(&a, &[SignatureBox { role: a.clone(), name: long.clone(), detail: a.clone() }]);
        let _ = flow.qr(a.as_bytes(), 20.0, Align::Center);
        let doc = flow.finish().expect("finishes");
        prop_assert!(doc.pdf.starts_with(b"%PDF"));
        prop_assert!(doc.pages >= 1);
    }
}
