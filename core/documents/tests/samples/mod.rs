//! Sample input for the document tests and the benchmark: Indonesian names with accents,
//! characters outside DejaVu, and very long values.

#![allow(dead_code, missing_docs)]

use chrono::{NaiveDate, NaiveDateTime};
use loket_documents::*;

pub fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(y, m, d)
        .and_then(|d| d.and_hms_opt(h, min, 0))
        .expect("valid sample date")
}

pub const LONG_NAME: &str =
    "Raden Mas Bagus Wicaksono Adiwijaya Kusumaningrat Prawirodirdjo Soerjosoemarno Hadiningrat";

pub fn office() -> Office {
    Office {
        parent_lines: Office::default_parent_lines(),
        name: "KANTOR IMIGRASI KELAS I TPI JAKARTA SELATAN".to_string(),
        address: "Jl. Warung Buncit Raya No. 207, Jakarta Selatan 12760 · Telp. (021) 7945 541"
            .to_string(),
    }
}

pub fn ticket() -> Ticket {
    Ticket {
        office_name: "Kantor Imigrasi Kelas I TPI Jakarta Selatan".to_string(),
        ticket_number: "B027".to_string(),
        service: "Penggantian Paspor".to_string(),
        issued_at: at(2026, 11, 23, 8, 5),
        time_zone: "WIB".to_string(),
        estimated_wait_minutes: Some(35),
        visit_id: "0192f3a4-7b1c-7d2e-9f00-1a2b3c4d5e6f".to_string(),
        instruction:
            "Silakan duduk dan tunggu nomor Anda dipanggil. Siapkan e-KTP, KK, dan paspor lama."
                .to_string(),
    }
}

pub fn checkin() -> CheckInSlip {
    CheckInSlip {
        office_name: "Kantor Imigrasi Kelas I TPI Jakarta Selatan".to_string(),
        ticket_number: "M014".to_string(),
        applicant_name: "Siti Nurhaliza".to_string(),
        booking_code: "MP-7Q4K-2X9D".to_string(),
        service: "Paspor Baru Elektronik".to_string(),
        slot: "09.00 - 10.00".to_string(),
        checked_in_at: at(2026, 11, 23, 8, 52),
        time_zone: "WIB".to_string(),
        payment: PaymentCheck::NotVerified,
        billing_code: "820261123004512".to_string(),
        visit_id: "0192f3a4-0000-7d2e-9f00-000000000014".to_string(),
    }
}

pub fn bap() -> BapForm {
    BapForm {
        office: office(),
        number: "W10.IMI.1-BAP-0042/2026".to_string(),
        examined_at: at(2026, 11, 23, 10, 15),
        time_zone: "WIB".to_string(),
        place: "Jakarta".to_string(),
        case: BapCase::Lost,
        applicant: Applicant {
            full_name: "Désa Ĉiptaningrum".to_string(),
            nik: "3174055204900003".to_string(),
            birth_place: "Yogyakarta".to_string(),
            birth_date: NaiveDate::from_ymd_opt(1990, 4, 12),
            sex: "Perempuan".to_string(),
            occupation: "Karyawan swasta".to_string(),
            address: "Jl. Kemang Selatan Raya No. 12, RT 005/RW 003, Bangka, Mampang Prapatan, Jakarta Selatan".to_string(),
            phone: "0812-3456-7890".to_string(),
        },
        old_passport: OldPassport {
            number: "C1234567".to_string(),
            issued_on: NaiveDate::from_ymd_opt(2022, 3, 1),
            expires_on: NaiveDate::from_ymd_opt(2032, 3, 1),
            issuing_office: "Kantor Imigrasi Kelas I TPI Jakarta Selatan".to_string(),
        },
        incident_place: "Stasiun Manggarai, Jakarta".to_string(),
        incident_date: NaiveDate::from_ymd_opt(2026, 11, 2),
        chronology: "Pemohon berangkat dari rumah pukul 07.00 dengan KRL menuju Bogor. Tas selempang berisi dompet dan paspor diletakkan di rak atas. Saat turun di Stasiun Manggarai tas sudah tidak ada. Pemohon melapor ke petugas stasiun dan ke Polsek Tebet pada hari yang sama.".to_string(),
        police_report: "STPLK/1187/XI/2026/Sek.Tebet".to_string(),
        travel_purpose: "Umrah bersama keluarga, Februari 2027".to_string(),
        past_use: "Perjalanan wisata ke Malaysia (2023) dan Jepang (2024)".to_string(),
        past_applications: "Belum pernah kehilangan paspor sebelumnya".to_string(),
        questions: vec![
            QuestionAnswer {
                question: "Apakah Saudari dalam keadaan sehat dan bersedia memberikan keterangan?".to_string(),
                answer: "Ya, saya sehat dan bersedia.".to_string(),
            },
            QuestionAnswer {
                question: "Di mana paspor Saudari simpan sebelum hilang?".to_string(),
                answer: "Di dalam dompet, dalam tas selempang hitam.".to_string(),
            },
            QuestionAnswer {
                question: "Apakah paspor tersebut pernah dipinjamkan atau dijaminkan kepada orang lain?".to_string(),
                answer: "Tidak pernah.".to_string(),
            },
        ],
        documents: vec![
            DocumentCheck { name: "e-KTP".to_string(), present: true, remark: "3174055204900003".to_string() },
            DocumentCheck { name: "Kartu Keluarga".to_string(), present: true, remark: String::new() },
            DocumentCheck { name: "Akta kelahiran / ijazah / buku nikah".to_string(), present: true, remark: "Akta kelahiran".to_string() },
            DocumentCheck { name: "Surat keterangan hilang dari kepolisian".to_string(), present: true, remark: "STPLK/1187/XI/2026".to_string() },
        ],
        outcome: Some(BapOutcome::ApproveWithCharge { charge_rupiah: 1_000_000 }),
        outcome_note: "Pemohon lalai menyimpan paspor; alasan dapat diterima.".to_string(),
        officer: Official { name: "Andi Pratama".to_string(), nip: "19850312 200912 1 002".to_string(), position: "Analis Keimigrasian Ahli Pertama".to_string() },
        supervisor: Official { name: "Dra. Ni Luh Putu Ayu".to_string(), nip: "19720101 199803 2 001".to_string(), position: "Kepala Seksi".to_string() },
    }
}

pub fn handover(i: u32) -> Handover {
    let names = [
        "Siti Nurhaliza",
        "Désa Ĉiptaningrum",
        "Budi Santoso",
        LONG_NAME,
        "Ni Komang Ayu Lestari",
    ];
    let name = names[(i as usize) % names.len()];
    Handover {
        receipt_number: format!("TT-2026-11-{:05}", 100 + i),
        passport_number: format!("E{:07}", 4_512_300 + i),
        applicant_name: name.to_string(),
        collector_name: if i % 3 == 1 {
            "Ahmad Fauzi".to_string()
        } else {
            name.to_string()
        },
        collector: match i % 3 {
            0 => Collector::Applicant,
            1 => Collector::Family,
            _ => Collector::Proxy,
        },
        collector_id: format!("31740512059{:05}", i),
        handed_over_at: at(2026, 11, 23, 9 + i % 7, (i * 7) % 60),
    }
}

pub fn receipt() -> PickupReceipt {
    PickupReceipt {
        office: office(),
        handover: handover(1),
        time_zone: "WIB".to_string(),
        officer_name: "Rina Marlina".to_string(),
        officer_nip: "19900505 201503 2 004".to_string(),
        place: "Jakarta".to_string(),
    }
}

pub fn register(entries: u32) -> PickupRegister {
    PickupRegister {
        office: office(),
        date: NaiveDate::from_ymd_opt(2026, 11, 23).expect("date"),
        entries: (0..entries).map(handover).collect(),
        printed_note: "Dicetak oleh Loket · Senin, 23 November 2026, pukul 16.00 WIB".to_string(),
    }
}

fn dur(mean: f64) -> Durations {
    Durations {
        count: 40,
        mean,
        median: mean * 0.9,
        p90: mean * 1.8,
        max: mean * 3.1,
    }
}

pub fn report(day: u32) -> DailyReport {
    let services = [
        "Paspor Baru",
        "Penggantian Paspor",
        "Paspor Hilang/Rusak",
        "Pengambilan Paspor",
        "Informasi",
    ];
    DailyReport {
        office: office(),
        date: NaiveDate::from_ymd_opt(2026, 11, day.clamp(1, 30)).expect("date"),
        to: None,
        generated_at: at(2026, 11, 23, 17, 30),
        time_zone: "WIB".to_string(),
        services: services
            .iter()
            .enumerate()
            .flat_map(|(i, s)| {
                let n = 40 + i as u32 * 13 + day;
                [
                    ServiceLaneFigures {
                        service: s.to_string(),
                        lane: "Umum".to_string(),
                        issued: n,
                        served: n - 4,
                        no_shows: 4,
                        walk_in: n / 3,
                        appointment: n - n / 3,
                    },
                    ServiceLaneFigures {
                        service: s.to_string(),
                        lane: "Prioritas".to_string(),
                        issued: 6,
                        served: 6,
                        no_shows: 0,
                        walk_in: 6,
                        appointment: 0,
                    },
                ]
            })
            .collect(),
        waiting_overall: dur(24.4),
        waiting: services
            .iter()
            .enumerate()
            .map(|(i, s)| WaitingFigures {
                service: s.to_string(),
                minutes: dur(12.0 + i as f64 * 6.5),
            })
            .collect(),
        stages: [
            "Pemeriksaan berkas",
            "Foto dan sidik jari",
            "Wawancara",
            "BAP",
            "Keputusan",
            "Penyerahan",
        ]
        .iter()
        .enumerate()
        .map(|(i, s)| StageFigures {
            stage: s.to_string(),
            minutes: dur(3.0 + i as f64 * 2.2),
        })
        .collect(),
        counters: (1..=8)
            .map(|c| CounterFigures {
                counter: format!("Loket {c}"),
                officer: format!("Petugas {c:02}"),
                served: 30 + c * 3,
                mean_service_minutes: 6.0 + f64::from(c) * 0.7,
                idle_minutes: 20.0 + f64::from(c),
            })
            .collect(),
        arrivals_per_hour: (7..=15)
            .map(|h| (h, [12, 58, 74, 61, 40, 22, 35, 28, 9][(h - 7) as usize]))
            .collect(),
        quotas: vec![
            QuotaFigures {
                service: "Paspor Baru".to_string(),
                kind: "Walk-in".to_string(),
                quota: 60,
                used: 57,
            },
            QuotaFigures {
                service: "Paspor Baru".to_string(),
                kind: "Janji temu".to_string(),
                quota: 150,
                used: 141,
            },
            QuotaFigures {
                service: "Semua layanan".to_string(),
                kind: "Prioritas".to_string(),
                quota: 30,
                used: 30,
            },
        ],
        baps_by_outcome: vec![
            ("Disetujui dengan biaya beban".to_string(), 7),
            ("Biaya beban dibebaskan (keadaan kahar)".to_string(), 1),
            ("Ditangguhkan".to_string(), 2),
        ],
        fees: vec![
            FeeFigures {
                item: "Paspor elektronik 10 tahun".to_string(),
                count: 96,
                unit_rupiah: 950_000,
            },
            FeeFigures {
                item: "Paspor non-elektronik 10 tahun".to_string(),
                count: 74,
                unit_rupiah: 650_000,
            },
            FeeFigures {
                item: "Paspor non-elektronik 5 tahun".to_string(),
                count: 12,
                unit_rupiah: 350_000,
            },
            FeeFigures {
                item: "Layanan percepatan (hari yang sama)".to_string(),
                count: 9,
                unit_rupiah: 1_000_000,
            },
            FeeFigures {
                item: "Biaya beban paspor hilang".to_string(),
                count: 7,
                unit_rupiah: 1_000_000,
            },
        ],
        head_name: "Dr. Bambang Setiawan, S.H., M.Hum.".to_string(),
        head_nip: "19700817 199403 1 001".to_string(),
    }
}
