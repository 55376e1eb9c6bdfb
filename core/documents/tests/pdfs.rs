//! Every document rendered, then checked with poppler: `pdftotext -layout` finds every
//! field with Indonesian characters intact, `pdffonts` shows the fonts embedded, and
//! `pdftoppm` renders each page to a PNG kept under `$LOKET_ARTIFACTS/documents/`.
//! Without poppler these tests skip with a reason, unless `LOKET_REQUIRE_ALL=1`.

mod samples;

use std::path::{Path, PathBuf};
use std::process::Command;

use loket_documents::*;
use samples::*;

fn fonts() -> Fonts {
    Fonts::system().expect("DejaVu fonts (fonts-dejavu-core) are installed")
}

fn poppler_available() -> bool {
    let found = Command::new("pdftotext").arg("-v").output().is_ok();
    if !found {
        if std::env::var("LOKET_REQUIRE_ALL").as_deref() == Ok("1") {
            panic!(
                "poppler-utils (pdftotext, pdffonts, pdftoppm) is required: LOKET_REQUIRE_ALL=1"
            );
        }
        eprintln!("SKIP: poppler-utils not installed (apt-get install poppler-utils)");
    }
    found
}

fn artifacts_dir() -> PathBuf {
    let base = std::env::var_os("LOKET_ARTIFACTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../artifacts"));
    let dir = base.join("documents");
    std::fs::create_dir_all(&dir).expect("artifacts folder");
    dir
}

/// Writes the PDF to the artifacts folder, runs the poppler checks, renders PNGs, and
/// returns the text of the whole document (`pdftotext -layout`).
fn check_pdf(name: &str, doc: &RenderedDocument) -> Option<String> {
    assert!(doc.pdf.starts_with(b"%PDF"), "{name}: not a PDF");
    let dir = artifacts_dir();
    let pdf_path = dir.join(format!("{name}.pdf"));
    std::fs::write(&pdf_path, &doc.pdf).expect("write pdf");
    if !poppler_available() {
        return None;
    }
    let text = Command::new("pdftotext")
        .arg("-layout")
        .arg(&pdf_path)
        .arg("-")
        .output()
        .expect("pdftotext runs");
    assert!(
        text.status.success(),
        "{name}: pdftotext failed: {}",
        String::from_utf8_lossy(&text.stderr)
    );
    let fonts = Command::new("pdffonts")
        .arg(&pdf_path)
        .output()
        .expect("pdffonts runs");
    let listing = String::from_utf8_lossy(&fonts.stdout).to_string();
    let font_rows: Vec<&str> = listing
        .lines()
        .skip(2)
        .filter(|l| !l.trim().is_empty())
        .collect();
    assert!(
        font_rows.len() >= 2,
        "{name}: expected two fonts, pdffonts says:\n{listing}"
    );
    for row in &font_rows {
        assert!(row.contains("DejaVuSans"), "{name}: unexpected font: {row}");
        // Columns: name type encoding emb sub uni object...: "yes" for embedded.
        let cols: Vec<&str> = row.split_whitespace().collect();
        let emb = cols.iter().rev().nth(4).copied().unwrap_or("");
        assert_eq!(emb, "yes", "{name}: font not embedded: {row}");
    }
    let prefix = dir.join(name);
    let render = Command::new("pdftoppm")
        .args(["-r", "100", "-png"])
        .arg(&pdf_path)
        .arg(&prefix)
        .output()
        .expect("pdftoppm runs");
    assert!(render.status.success(), "{name}: pdftoppm failed");
    let pngs = std::fs::read_dir(&dir)
        .expect("list artifacts")
        .filter_map(Result::ok)
        .filter(|e| {
            let f = e.file_name().to_string_lossy().to_string();
            f.starts_with(&format!("{name}-")) && f.ends_with(".png")
        })
        .count();
    assert!(
        pngs >= doc.pages,
        "{name}: {pngs} PNGs for {} pages",
        doc.pages
    );
    Some(String::from_utf8_lossy(&text.stdout).to_string())
}

/// pdftotext may break a long value over lines and pads with spaces: compare words.
fn assert_has(name: &str, text: &str, needle: &str) {
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for word in needle.split_whitespace() {
        assert!(
            flat.contains(word),
            "{name}: {word:?} (of {needle:?}) not found in:\n{text}"
        );
    }
}

#[test]
fn ticket_pdf_shows_every_field() {
    let t = ticket();
    let doc = render_ticket(&fonts(), &t).expect("ticket renders");
    assert_eq!(doc.pages, 1);
    if let Some(text) = check_pdf("ticket", &doc) {
        for field in [
            &t.office_name,
            &t.ticket_number,
            &t.service,
            &t.visit_id,
            "Senin, 23 November 2026",
            "08.05 WIB",
            "± 35 menit",
            "Siapkan e-KTP",
        ] {
            assert_has("ticket", &text, field);
        }
    }
}

#[test]
fn checkin_slip_pdf_shows_every_field() {
    let s = checkin();
    let doc = render_checkin_slip(&fonts(), &s).expect("slip renders");
    if let Some(text) = check_pdf("checkin-slip", &doc) {
        for field in [
            &s.ticket_number,
            &s.applicant_name,
            &s.booking_code,
            &s.service,
            &s.billing_code,
            "BELUM TERVERIFIKASI",
            "09.00 - 10.00",
        ] {
            assert_has("checkin", &text, field);
        }
    }
}

#[test]
fn bap_pdf_shows_every_field_with_accents_intact() {
    let b = bap();
    let doc = render_bap(&fonts(), &b).expect("BAP renders");
    assert!(
        doc.replaced.is_empty(),
        "DejaVu covers Ĉ and é: {:?}",
        doc.replaced
    );
    if let Some(text) = check_pdf("bap", &doc) {
        for field in [
            "Désa Ĉiptaningrum",
            &b.applicant.nik,
            &b.old_passport.number,
            &b.police_report,
            &b.incident_place,
            "Tas selempang berisi dompet",
            "Di dalam dompet, dalam tas selempang hitam.",
            "Rp 1.000.000",
            "Andi Pratama",
            "Dra. Ni Luh Putu Ayu",
            "Pemohon",
            "Petugas Pemeriksa",
            "Pengawas",
            "BERITA ACARA PEMERIKSAAN",
            "Halaman 1 dari",
        ] {
            assert_has("bap", &text, field);
        }
    }
}

#[test]
fn pickup_receipt_and_register_show_every_field() {
    let r = receipt();
    let doc = render_pickup_receipt(&fonts(), &r).expect("receipt renders");
    if let Some(text) = check_pdf("pickup-receipt", &doc) {
        let h = &r.handover;
        for field in [
            &h.receipt_number,
            &h.passport_number,
            &h.applicant_name,
            &h.collector_name,
            "Kartu Keluarga",
            "Yang menerima",
            "Rina Marlina",
        ] {
            assert_has("receipt", &text, field);
        }
    }
    let reg = register(40);
    let doc = render_pickup_register(&fonts(), &reg).expect("register renders");
    assert!(
        doc.pages >= 3,
        "40 rows with room to sign take several pages, got {}",
        doc.pages
    );
    if let Some(text) = check_pdf("pickup-register", &doc) {
        for e in &reg.entries {
            assert_has("register", &text, &e.passport_number);
            assert_has("register", &text, &e.receipt_number);
        }
        // The header row repeats on every page.
        assert_eq!(
            text.matches("Tanda Tangan").count(),
            doc.pages,
            "header once per page"
        );
        assert_has("register", &text, "Désa Ĉiptaningrum");
    }
}

#[test]
fn daily_report_shows_the_figures() {
    let r = report(23);
    let doc = render_daily_report(&fonts(), &r).expect("report renders");
    if let Some(text) = check_pdf("daily-report", &doc) {
        for field in [
            "LAPORAN HARIAN LAYANAN PASPOR",
            "Senin, 23 November 2026",
            "Penggantian Paspor",
            "Pemeriksaan berkas",
            "Loket 8",
            "Rp 91.200.000",
            "Disetujui dengan biaya beban",
            "Kepala Kantor",
            "24,4",
            "08.00–09.00",
        ] {
            assert_has("report", &text, field);
        }
    }
}

#[test]
fn a_month_of_reports_starts_each_day_on_a_page() {
    let month: Vec<DailyReport> = (1..=30).map(report).collect();
    let doc = render_daily_reports(&fonts(), &month).expect("month renders");
    assert!(doc.pages >= 30, "{} pages", doc.pages);
}
