//! The BAP (Berita Acara Pemeriksaan) for a lost or damaged passport, laid out like the
//! official form: identity, old passport, what happened, the questions and answers, the
//! documents checked, the outcome, and three signature boxes.

use chrono::{NaiveDate, NaiveDateTime};

use crate::common::{
    Office, format_date, format_date_time, format_rupiah, format_short_date, or_dash, require,
};
use crate::error::DocumentError;
use crate::fonts::Fonts;
use crate::layout::{
    Align, Column, Flow, Ink, PageSize, RenderedDocument, Running, SignatureBox, Style, Table,
};

/// Why the passport is replaced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BapCase {
    /// Lost.
    Lost,
    /// Damaged.
    Damaged,
    /// Lost or damaged in a disaster (force majeure).
    Disaster,
}

impl BapCase {
    fn label(self) -> &'static str {
        match self {
            BapCase::Lost => "Hilang",
            BapCase::Damaged => "Rusak",
            BapCase::Disaster => "Hilang/rusak karena bencana (keadaan kahar)",
        }
    }
}

/// The applicant examined.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Applicant {
    /// Full name (required).
    pub full_name: String,
    /// NIK (16 digits).
    pub nik: String,
    /// Place of birth.
    pub birth_place: String,
    /// Date of birth.
    pub birth_date: Option<NaiveDate>,
    /// "Laki-laki" / "Perempuan".
    pub sex: String,
    /// Occupation.
    pub occupation: String,
    /// Address.
    pub address: String,
    /// Phone number.
    pub phone: String,
}

/// The passport lost or damaged.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OldPassport {
    /// Passport number (may be unknown when lost).
    pub number: String,
    /// Issue date.
    pub issued_on: Option<NaiveDate>,
    /// Expiry date.
    pub expires_on: Option<NaiveDate>,
    /// Issuing office.
    pub issuing_office: String,
}

/// An official who signs.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Official {
    /// Name.
    pub name: String,
    /// NIP (civil servant number).
    pub nip: String,
    /// Position, e.g. "Analis Keimigrasian Ahli Pertama".
    pub position: String,
}

/// One question and the applicant's answer.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct QuestionAnswer {
    /// The question.
    pub question: String,
    /// The answer as given.
    pub answer: String,
}

/// A supporting document and whether it was shown.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DocumentCheck {
    /// The document ("e-KTP", "Kartu Keluarga", "Surat keterangan hilang dari kepolisian").
    pub name: String,
    /// Whether the original was shown.
    pub present: bool,
    /// Number or remark.
    pub remark: String,
}

/// The decision recorded in the BAP.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BapOutcome {
    /// Approved; the applicant pays the charge (lost 1,000,000 / damaged 500,000) and the book fee.
    ApproveWithCharge {
        /// The charge in rupiah.
        charge_rupiah: u64,
    },
    /// Approved; the charge is waived for force majeure.
    WaiveForceMajeure,
    /// Issue suspended for negligence without acceptable reason (supervisor approval).
    Suspend {
        /// 6 to 24 months.
        months: u8,
    },
}

/// Everything a BAP form shows. The hub fills it from the interview.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BapForm {
    /// Letterhead.
    pub office: Office,
    /// BAP number.
    pub number: String,
    /// When the examination took place.
    pub examined_at: NaiveDateTime,
    /// "WIB", "WITA" or "WIT".
    pub time_zone: String,
    /// City for the signature line.
    pub place: String,
    /// Lost, damaged or disaster.
    pub case: BapCase,
    /// The applicant.
    pub applicant: Applicant,
    /// The old passport.
    pub old_passport: OldPassport,
    /// Where it was lost or damaged.
    pub incident_place: String,
    /// When it was lost or damaged.
    pub incident_date: Option<NaiveDate>,
    /// How it happened, in the applicant's words.
    pub chronology: String,
    /// Police report number (lost passports).
    pub police_report: String,
    /// Purpose of travel.
    pub travel_purpose: String,
    /// Past use of the passport.
    pub past_use: String,
    /// Past applications (earlier losses, earlier passports).
    pub past_applications: String,
    /// Questions and answers.
    pub questions: Vec<QuestionAnswer>,
    /// Documents checked.
    pub documents: Vec<DocumentCheck>,
    /// The outcome; `None` while undecided (boxes left blank to tick by hand).
    pub outcome: Option<BapOutcome>,
    /// Remarks on the outcome.
    pub outcome_note: String,
    /// Examining officer.
    pub officer: Official,
    /// Supervisor who approves.
    pub supervisor: Official,
}

/// Renders the BAP on A4 pages with the letterhead, running header and page numbers.
pub fn render_bap(fonts: &Fonts, bap: &BapForm) -> Result<RenderedDocument, DocumentError> {
    const DOC: &str = "BAP";
    require(
        DOC,
        "nama pemohon / applicant name",
        &bap.applicant.full_name,
    )?;
    require(DOC, "nomor BAP / BAP number", &bap.number)?;
    let running = Running {
        header_left: bap.office.name.clone(),
        header_right: format!("BAP No. {}", bap.number),
        footer_left: "Paraf pemohon: ........   Paraf petugas: ........".to_string(),
    };
    let mut flow = Flow::new(
        fonts,
        "Berita Acara Pemeriksaan",
        PageSize::A4,
        Some(running),
    );
    bap.office.letterhead(&mut flow);
    flow.paragraph("BERITA ACARA PEMERIKSAAN", Style::TITLE);
    flow.paragraph(
        "PERMOHONAN PENGGANTIAN PASPOR KARENA HILANG ATAU RUSAK",
        Style::BODY.sized(10.0).bold(true).aligned(Align::Center),
    );
    flow.paragraph(
        &format!("Nomor: {}", bap.number),
        Style::BODY.aligned(Align::Center),
    );
    flow.space(3.0);
    let when = format_date_time(bap.examined_at, &bap.time_zone);
    flow.paragraph(
        &format!(
            "Pada hari ini {when}, saya yang bertanda tangan di bawah ini, {}, NIP {}, {} pada {}, telah melakukan pemeriksaan terhadap:",
            or_dash(&bap.officer.name),
            or_dash(&bap.officer.nip),
            or_dash(&bap.officer.position),
            or_dash(&bap.office.name)
        ),
        Style::BODY.leading(1.4),
    );
    flow.space(2.0);

    let a = &bap.applicant;
    let birth = format!(
        "{}, {}",
        or_dash(&a.birth_place),
        a.birth_date
            .map(crate::common::format_date_plain)
            .unwrap_or_else(|| "-".to_string())
    );
    flow.section("A. IDENTITAS PEMOHON");
    flow.fields(
        &[
            ("Nama lengkap", &a.full_name),
            ("NIK", &a.nik),
            ("Tempat, tanggal lahir", &birth),
            ("Jenis kelamin", &a.sex),
            ("Pekerjaan", &a.occupation),
            ("Alamat", &a.address),
            ("Nomor telepon", &a.phone),
        ],
        0.30,
    );
    let p = &bap.old_passport;
    flow.section("B. PASPOR LAMA");
    flow.fields(
        &[
            ("Nomor paspor", &p.number),
            ("Tanggal terbit", &format_short_date(p.issued_on)),
            ("Berlaku sampai", &format_short_date(p.expires_on)),
            ("Kantor penerbit", &p.issuing_office),
        ],
        0.30,
    );
    flow.section("C. KETERANGAN KEHILANGAN / KERUSAKAN");
    flow.fields(
        &[
            ("Alasan", bap.case.label()),
            ("Tempat kejadian", &bap.incident_place),
            ("Tanggal kejadian", &format_short_date(bap.incident_date)),
            ("Surat keterangan polisi", &bap.police_report),
            ("Tujuan perjalanan", &bap.travel_purpose),
            ("Penggunaan paspor sebelumnya", &bap.past_use),
            ("Permohonan sebelumnya", &bap.past_applications),
        ],
        0.30,
    );
    flow.paragraph("Kronologi kejadian:", Style::BODY.sized(9.5));
    flow.paragraph(or_dash(&bap.chronology), Style::BODY.leading(1.4));
    flow.space(2.0);

    flow.section("D. PERTANYAAN DAN JAWABAN");
    if bap.questions.is_empty() {
        flow.paragraph("-", Style::BODY);
    }
    for (i, qa) in bap.questions.iter().enumerate() {
        flow.paragraph(
            &format!("{}. {}", i + 1, qa.question),
            Style::BODY.bold(true),
        );
        flow.paragraph(
            &format!("Jawaban: {}", or_dash(&qa.answer)),
            Style::BODY.leading(1.4),
        );
        flow.space(1.5);
    }

    flow.section("E. DOKUMEN YANG DIPERIKSA");
    let rows = bap
        .documents
        .iter()
        .enumerate()
        .map(|(i, d)| {
            vec![
                (i + 1).to_string(),
                d.name.clone(),
                if d.present { "Ada" } else { "Tidak ada" }.to_string(),
                d.remark.clone(),
            ]
        })
        .collect();
    flow.table(&Table {
        columns: vec![
            Column::new("No", 0.6, Align::Center),
            Column::new("Dokumen", 5.0, Align::Left),
            Column::new("Asli", 1.6, Align::Center),
            Column::new("Keterangan", 3.5, Align::Left),
        ],
        rows,
        ..Table::default()
    });

    flow.section("F. HASIL PEMERIKSAAN");
    let tick = |on: bool| if on { "☒" } else { "☐" };
    let (approve, waive, suspend) = match bap.outcome {
        Some(BapOutcome::ApproveWithCharge { .. }) => (true, false, false),
        Some(BapOutcome::WaiveForceMajeure) => (false, true, false),
        Some(BapOutcome::Suspend { .. }) => (false, false, true),
        None => (false, false, false),
    };
    let charge = match bap.outcome {
        Some(BapOutcome::ApproveWithCharge { charge_rupiah }) => format_rupiah(charge_rupiah),
        _ => "Rp ..........".to_string(),
    };
    let months = match bap.outcome {
        Some(BapOutcome::Suspend { months }) => months.to_string(),
        _ => "....".to_string(),
    };
    flow.paragraph(
        &format!(
            "{}  Permohonan disetujui dengan biaya beban {charge} ditambah biaya paspor.",
            tick(approve)
        ),
        Style::BODY.leading(1.5),
    );
    flow.paragraph(
        &format!(
            "{}  Permohonan disetujui; biaya beban dibebaskan karena keadaan kahar (bencana).",
            tick(waive)
        ),
        Style::BODY.leading(1.5),
    );
    flow.paragraph(
        &format!("{}  Penerbitan paspor ditangguhkan selama {months} bulan karena kelalaian tanpa alasan yang dapat diterima (persetujuan pengawas).", tick(suspend)),
        Style::BODY.leading(1.5),
    );
    if !bap.outcome_note.trim().is_empty() {
        flow.paragraph(
            &format!("Catatan: {}", bap.outcome_note),
            Style::BODY.ink(Ink::Black),
        );
    }
    flow.space(3.0);
    flow.paragraph(
        "Demikian Berita Acara Pemeriksaan ini dibuat dengan sebenarnya. Setelah dibacakan kembali kepada pemohon, pemohon menyatakan tetap pada keterangannya, kemudian menandatanganinya bersama pemeriksa.",
        Style::BODY.leading(1.4),
    );
    flow.space(4.0);
    let nip = |o: &Official| {
        if o.nip.trim().is_empty() {
            String::new()
        } else {
            format!("NIP {}", o.nip)
        }
    };
    flow.signatures(
        &format!(
            "{}, {}",
            or_dash(&bap.place),
            format_date(bap.examined_at.date())
        ),
        &[
            SignatureBox {
                role: "Pemohon".to_string(),
                name: a.full_name.clone(),
                detail: String::new(),
            },
            SignatureBox {
                role: "Petugas Pemeriksa".to_string(),
                name: bap.officer.name.clone(),
                detail: nip(&bap.officer),
            },
            SignatureBox {
                role: "Mengetahui, Pengawas".to_string(),
                name: bap.supervisor.name.clone(),
                detail: nip(&bap.supervisor),
            },
        ],
    );
    flow.finish()
}
