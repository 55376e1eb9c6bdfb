//! The ticket encoded for 58 and 80 mm paper, read back by the independent reader.

mod support;

use chrono::NaiveDate;
use loket_printer::{CodePage, PaperWidth, Ticket, encode_ticket};
use support::reader::{Paper, read};

fn ticket() -> Ticket {
    Ticket {
        office_name: "Kantor Imigrasi Kelas I TPI Jakarta Selatan".to_string(),
        ticket_number: "A017".to_string(),
        service: "Paspor Baru".to_string(),
        issued_at: NaiveDate::from_ymd_opt(2026, 11, 23)
            .and_then(|d| d.and_hms_opt(8, 5, 0))
            .expect("date"),
        time_zone: "WIB".to_string(),
        estimated_wait_minutes: Some(35),
        visit_id: "0192f3a4-7b1c-7d2e-9f00-1a2b3c4d5e6f".to_string(),
        instruction: "Silakan duduk dan tunggu nomor Anda dipanggil. Siapkan e-KTP dan KK asli."
            .to_string(),
    }
}

fn encode(t: &Ticket, width: PaperWidth) -> Paper {
    let encoded = encode_ticket(t, width, CodePage::Wpc1252).expect("ticket encodes");
    read(&encoded.bytes)
}

fn assert_ticket(paper: &Paper, t: &Ticket, columns: usize, number_scale: u8) {
    assert!(paper.initialised, "ESC @ first");
    assert_eq!(paper.code_page, Some(16), "WPC1252 selected");
    assert!(
        paper.unknown.is_empty(),
        "no stray bytes: {:?}",
        paper.unknown
    );
    // Lines wrap at spaces, or inside a word longer than the paper: compare without spaces.
    let joined = paper.joined().replace(' ', "");
    for field in [
        &t.office_name,
        "NOMOR ANTREAN",
        &t.service,
        "Senin, 23 November 2026",
        "Pukul 08.05 WIB",
        "± 35 menit",
        &t.visit_id,
        &t.instruction,
    ] {
        assert!(
            joined.contains(&field.replace(' ', "")),
            "{field:?} missing from {:#?}",
            paper.texts()
        );
    }
    let number = paper
        .line_with(&t.ticket_number)
        .expect("ticket number printed");
    assert_eq!(
        (number.width, number.height, number.bold),
        (number_scale, number_scale, true)
    );
    let biggest = paper
        .lines
        .iter()
        .map(|l| u32::from(l.width) * u32::from(l.height))
        .max()
        .unwrap_or(0);
    assert_eq!(
        biggest,
        u32::from(number_scale) * u32::from(number_scale),
        "the number is the largest type"
    );
    let service = paper.line_with(&t.service).expect("service printed");
    assert!(service.bold && service.height == 2);
    let office = paper.line_with("Kantor Imigrasi").expect("office printed");
    assert!(office.bold);
    for line in &paper.lines {
        let cells = line.text.chars().count() * usize::from(line.width);
        assert!(
            cells <= columns,
            "line wider than the paper ({cells} > {columns}): {:?}",
            line.text
        );
        assert_eq!(line.align, 1, "centred: {:?}", line.text);
    }
    assert_eq!(
        paper.qr_payloads,
        vec![t.visit_id.as_bytes().to_vec()],
        "QR holds the visit id"
    );
    assert_eq!(paper.qr_model, Some(2));
    assert_eq!(paper.cuts, 1);
}

#[test]
fn ticket_on_58mm_paper_reads_back() {
    let t = ticket();
    let paper = encode(&t, PaperWidth::Mm58);
    assert_ticket(&paper, &t, 32, 4);
    assert_eq!(paper.qr_module, Some(6));
}

#[test]
fn ticket_on_80mm_paper_reads_back() {
    let t = ticket();
    let paper = encode(&t, PaperWidth::Mm80);
    assert_ticket(&paper, &t, 48, 6);
    assert_eq!(paper.qr_module, Some(8));
    // The office name fits on one 48-column line but not on one 32-column line.
    assert!(paper.lines.iter().any(|l| l.text == t.office_name));
    assert!(
        !encode(&t, PaperWidth::Mm58)
            .lines
            .iter()
            .any(|l| l.text == t.office_name)
    );
}

#[test]
fn accents_print_in_the_code_page_and_others_are_transliterated() {
    let mut t = ticket();
    t.office_name = "Kantor Imigrasi Désa Ĉiptaningrum".to_string();
    let encoded = encode_ticket(&t, PaperWidth::Mm80, CodePage::Wpc1252).expect("encodes");
    assert_eq!(encoded.replaced, vec!['Ĉ']);
    let paper = read(&encoded.bytes);
    assert!(
        paper.joined().contains("Kantor Imigrasi Désa Ciptaningrum"),
        "{:?}",
        paper.texts()
    );
    // PC437 has é at 0x82 too.
    let paper = read(
        &encode_ticket(&t, PaperWidth::Mm80, CodePage::Pc437)
            .expect("encodes")
            .bytes,
    );
    assert_eq!(paper.code_page, Some(0));
    assert!(paper.joined().contains("Désa Ciptaningrum"));
}

#[test]
fn control_characters_in_text_cannot_inject_commands() {
    let mut t = ticket();
    t.service = "Paspor\u{1d}V\u{42}\u{0}Baru\u{1b}@".to_string();
    t.office_name = "Kantor\u{10}\u{04}\u{01}Imigrasi".to_string();
    let paper = encode(&t, PaperWidth::Mm58);
    assert_eq!(paper.cuts, 1, "only the real cut");
    assert!(paper.unknown.is_empty());
    assert!(paper.joined().contains("PasporVBBaru@"));
}

#[test]
fn very_long_values_wrap_within_the_paper() {
    let mut t = ticket();
    t.office_name = "Kantor Imigrasi Kelas I Khusus Tempat Pemeriksaan Imigrasi Soekarno-Hatta Tangerang Banten Indonesia".repeat(3);
    t.instruction =
        "Supercalifragilisticexpialidocious-panjang-sekali-tanpa-spasi-sama-sekali".to_string();
    let paper = encode(&t, PaperWidth::Mm58);
    for line in &paper.lines {
        assert!(
            line.text.chars().count() * usize::from(line.width) <= 32,
            "{:?}",
            line.text
        );
    }
    assert!(paper.joined().replace(' ', "").contains(&t.instruction));
}

#[test]
fn missing_fields_are_a_typed_error() {
    let mut t = ticket();
    t.ticket_number = "  ".to_string();
    let err = encode_ticket(&t, PaperWidth::Mm58, CodePage::default()).expect_err("no number");
    assert!(
        err.to_string().contains("Data tiket tidak lengkap"),
        "{err}"
    );
    let mut t = ticket();
    t.visit_id.clear();
    assert!(encode_ticket(&t, PaperWidth::Mm58, CodePage::default()).is_err());
}
