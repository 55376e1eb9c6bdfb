use super::{date, utc};
use loket_domain::{
    Bap, BapDocument, BapError, BapId, BapInterview, BapMissing, BapOutcome, BapReason,
    BapSignatures, BapStatus, BapStep, BookFee, DamageState, DomainError, FeeItem, FeeSchedule,
    OfficerRef, Role, SignatureRef, SupervisorApproval, UserFacing, Validity, VisitId,
};

const SPECIMEN_1: &str = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<";
const SPECIMEN_2: &str = "L898902C36UTO7408122F1204159ZE184226B<<<<<10";

fn officer() -> OfficerRef {
    OfficerRef::new("budi", Role::Officer)
}

fn supervisor() -> OfficerRef {
    OfficerRef::new("sari", Role::Supervisor)
}

fn book() -> BookFee {
    BookFee {
        electronic: true,
        validity: Validity::TenYears,
    }
}

fn lost() -> BapReason {
    BapReason::Lost {
        police_report_number: "LP/B/123/XI/2026/Polsek Menteng".into(),
        police_report_date: Some(date(2026, 11, 20)),
        police_station: "Polsek Menteng".into(),
    }
}

fn damaged() -> BapReason {
    BapReason::Damaged {
        state: Some(DamageState::WaterDamaged),
        description: "Halaman 5-12 basah dan menempel".into(),
    }
}

/// A complete interview except the outcome.
fn interview(reason: BapReason) -> BapInterview {
    let mut i = BapInterview::default();
    i.identity.full_name = "Siti Aminah".into();
    i.identity.nik = "3171014509900001".into();
    i.identity.birth_place = "Jakarta".into();
    i.identity.birth_date = Some(date(1990, 9, 5));
    i.old_passport.number = Some("C1234567".into());
    i.reason = Some(reason);
    i.chronology = "Tas berisi paspor tertinggal di kereta".into();
    i.incident_place = "KRL Manggarai".into();
    i.incident_date = Some(date(2026, 11, 19));
    i.travel_purpose = "Umrah".into();
    i.past_use = "Perjalanan ke Malaysia 2024".into();
    i.past_applications = "Tidak ada".into();
    i.documents = vec![
        BapDocument::Ektp,
        BapDocument::FamilyCard,
        BapDocument::BirthCertificate,
        BapDocument::PoliceReport,
        BapDocument::DamagedPassport,
    ];
    i.assessment = "Keterangan konsisten, dokumen lengkap".into();
    i
}

fn started() -> Bap {
    Bap::new(
        BapId("bap-1".into()),
        Some(VisitId(7)),
        officer(),
        utc(3, 0),
    )
}

fn signatures(at_hour: u32) -> BapSignatures {
    BapSignatures {
        applicant: SignatureRef::Drawn {
            sha256: "ab".repeat(32),
        },
        officer: officer(),
        officer_signature: SignatureRef::Paper,
        supervisor: supervisor(),
        supervisor_signature: SignatureRef::Paper,
        at: utc(at_hour, 0),
    }
}

/// Interview -> decide -> complete -> sign; returns the signed BAP.
fn walk(reason: BapReason, outcome: BapOutcome, extra_docs: &[BapDocument]) -> Bap {
    let mut i = interview(reason);
    i.documents.extend_from_slice(extra_docs);
    let bap = started()
        .update(i, &officer(), utc(3, 10))
        .expect("draft accepts answers");
    assert_eq!(bap.missing(), vec![BapMissing::Outcome]);
    assert_eq!(bap.next_step(), Some(BapStep::Outcome));
    let bap = bap
        .decide(outcome, &officer(), utc(3, 20))
        .expect("outcome accepted");
    assert!(bap.missing().is_empty());
    let bap = bap.complete(&officer(), utc(3, 25)).expect("complete");
    assert_eq!(bap.status, BapStatus::Completed);
    let bap = bap.sign(signatures(4)).expect("signed");
    assert_eq!(bap.status, BapStatus::Signed);
    assert!(bap.is_locked());
    bap
}

#[test]
fn lost_passport_approved_with_charge_and_book_fee() {
    let bap = walk(lost(), BapOutcome::ApproveWithCharge { book: book() }, &[]);
    assert_eq!(
        bap.fee_items(),
        vec![FeeItem::LostCharge, FeeItem::Electronic10y]
    );
    let quote = bap
        .fees(&FeeSchedule::default())
        .expect("table in force")
        .expect("fees due");
    // 1,000,000 lost charge + 950,000 electronic 10 years.
    assert_eq!(quote.total, 1_950_000);
}

#[test]
fn damaged_passport_approved_with_charge() {
    let bap = walk(
        damaged(),
        BapOutcome::ApproveWithCharge {
            book: BookFee {
                electronic: false,
                validity: Validity::FiveYears,
            },
        },
        &[],
    );
    let quote = bap
        .fees(&FeeSchedule::default())
        .expect("table")
        .expect("fees");
    // 500,000 damaged charge + 350,000 non-electronic 5 years.
    assert_eq!(quote.total, 850_000);
}

#[test]
fn force_majeure_waives_the_charge_with_the_village_letter() {
    let bap = walk(
        damaged(),
        BapOutcome::WaiveForceMajeure { book: book() },
        &[BapDocument::VillageLetter],
    );
    let quote = bap
        .fees(&FeeSchedule::default())
        .expect("table")
        .expect("fees");
    assert_eq!(quote.lines[0].item, FeeItem::ForceMajeure);
    assert_eq!(quote.lines[0].amount, 0);
    assert_eq!(quote.total, 950_000);
}

#[test]
fn waiver_without_village_letter_is_refused() {
    let bap = started()
        .update(interview(lost()), &officer(), utc(3, 10))
        .expect("draft");
    let err = bap
        .decide(
            BapOutcome::WaiveForceMajeure { book: book() },
            &officer(),
            utc(3, 11),
        )
        .expect_err("no village letter");
    assert_eq!(err, BapError::WaiverNeedsVillageLetter);
    assert_eq!(err.code(), "bap_waiver_needs_village_letter");
}

#[test]
fn force_majeure_claim_requires_the_village_letter() {
    let mut i = interview(lost());
    i.force_majeure_claimed = true;
    let bap = started().update(i, &officer(), utc(3, 10)).expect("draft");
    assert!(bap.missing().contains(&BapMissing::Document {
        document: BapDocument::VillageLetter
    }));
}

#[test]
fn suspension_with_supervisor_approval_has_no_fee() {
    let bap = walk(
        lost(),
        BapOutcome::Suspend {
            months: 12,
            approval: Some(SupervisorApproval {
                by: supervisor(),
                at: utc(3, 15),
            }),
        },
        &[],
    );
    assert!(bap.fee_items().is_empty());
    assert_eq!(bap.fees(&FeeSchedule::default()), Ok(None));
}

#[test]
fn suspension_without_supervisor_is_refused() {
    let bap = started()
        .update(interview(lost()), &officer(), utc(3, 10))
        .expect("draft");
    let err = bap
        .decide(
            BapOutcome::Suspend {
                months: 12,
                approval: None,
            },
            &officer(),
            utc(3, 11),
        )
        .expect_err("no approval");
    assert_eq!(err, BapError::SuspensionNeedsSupervisor);
    // An officer's approval is no supervisor's approval.
    let err = bap
        .decide(
            BapOutcome::Suspend {
                months: 12,
                approval: Some(SupervisorApproval {
                    by: officer(),
                    at: utc(3, 11),
                }),
            },
            &officer(),
            utc(3, 11),
        )
        .expect_err("officer is no supervisor");
    assert_eq!(
        err,
        BapError::NotASupervisor {
            role: Role::Officer
        }
    );
    // The refused decisions changed nothing.
    assert_eq!(bap.interview.outcome, None);
}

#[test]
fn suspension_months_outside_6_to_24_are_refused() {
    let bap = started()
        .update(interview(lost()), &officer(), utc(3, 10))
        .expect("draft");
    let approval = Some(SupervisorApproval {
        by: OfficerRef::new("kepala", Role::Head),
        at: utc(3, 11),
    });
    for months in [0u8, 5, 25, 36] {
        let err = bap
            .decide(
                BapOutcome::Suspend {
                    months,
                    approval: approval.clone(),
                },
                &officer(),
                utc(3, 11),
            )
            .expect_err("out of range");
        assert_eq!(err, BapError::SuspensionMonthsOutOfRange { months });
    }
    for months in [6u8, 24] {
        assert!(
            bap.decide(
                BapOutcome::Suspend {
                    months,
                    approval: approval.clone(),
                },
                &officer(),
                utc(3, 11),
            )
            .is_ok(),
            "{months} months"
        );
    }
}

#[test]
fn edit_of_a_signed_bap_is_refused() {
    let bap = walk(lost(), BapOutcome::ApproveWithCharge { book: book() }, &[]);
    let err = bap
        .update(BapInterview::default(), &officer(), utc(4, 0))
        .expect_err("locked");
    assert_eq!(err, BapError::Locked { version: 1 });
    assert_eq!(err.code(), "bap_locked");
    assert!(err.message_id().contains("terkunci"));
    let err = bap
        .decide(
            BapOutcome::ApproveWithCharge { book: book() },
            &officer(),
            utc(4, 0),
        )
        .expect_err("locked");
    assert_eq!(err, BapError::Locked { version: 1 });
    assert_eq!(
        bap.sign(signatures(4)).expect_err("signed twice"),
        BapError::Locked { version: 1 }
    );
    // Through the domain error too.
    let wrapped = DomainError::from(err);
    assert_eq!(wrapped.code(), "bap_locked");
}

#[test]
fn amendment_makes_a_new_unsigned_version() {
    let signed = walk(lost(), BapOutcome::ApproveWithCharge { book: book() }, &[]);
    assert_eq!(
        signed.amend("  ", &supervisor(), utc(5, 0)),
        Err(BapError::AmendmentReasonMissing)
    );
    let v2 = signed
        .amend("Salah ketik tempat kejadian", &supervisor(), utc(5, 0))
        .expect("amend");
    assert_eq!(v2.version, 2);
    assert_eq!(v2.status, BapStatus::Draft);
    assert_eq!(v2.signatures, None);
    let amendment = v2.amendment.clone().expect("amendment recorded");
    assert_eq!(amendment.amends_version, 1);
    assert_eq!(amendment.reason, "Salah ketik tempat kejadian");
    assert_eq!(amendment.by, supervisor());
    assert_eq!(amendment.at, utc(5, 0));
    // The signed version is unchanged and still locked.
    assert_eq!(signed.version, 1);
    assert!(signed.is_locked());
    // The new version is edited, completed and signed like the first.
    let mut i = v2.interview.clone();
    i.incident_place = "Stasiun Manggarai".into();
    let v2 = v2.update(i, &officer(), utc(5, 5)).expect("edit v2");
    let v2 = v2.complete(&officer(), utc(5, 6)).expect("complete v2");
    let v2 = v2.sign(signatures(6)).expect("sign v2");
    assert_eq!((v2.version, v2.status), (2, BapStatus::Signed));
    let v3 = v2
        .amend("Nomor laporan polisi diperbaiki", &supervisor(), utc(7, 0))
        .expect("v3");
    assert_eq!(v3.version, 3);
    assert_eq!(v3.amendment.map(|a| a.amends_version), Some(2));
    // Only signed versions are amended.
    assert_eq!(
        started().amend("x", &officer(), utc(5, 0)),
        Err(BapError::NotSigned)
    );
}

#[test]
fn empty_bap_lists_everything_missing_in_interview_order() {
    let missing = started().missing();
    let codes: Vec<&str> = missing.iter().map(BapMissing::code).collect();
    assert_eq!(
        codes,
        vec![
            "full_name",
            "nik",
            "birth_date",
            "reason",
            "chronology",
            "incident_place",
            "incident_date",
            "travel_purpose",
            "past_use",
            "past_applications",
            "document",
            "document",
            "civil_record",
            "assessment",
            "outcome",
        ]
    );
    let steps: Vec<BapStep> = missing.iter().map(BapMissing::step).collect();
    let mut sorted = steps.clone();
    sorted.sort();
    assert_eq!(steps, sorted, "missing items follow the interview order");
    let err = started()
        .complete(&officer(), utc(3, 1))
        .expect_err("incomplete");
    assert_eq!(err.code(), "bap_incomplete");
    assert!(err.message_id().contains("Isi nama lengkap pemohon"));
    assert!(err.message_en().contains("full name"));
}

#[test]
fn lost_needs_police_report_and_damaged_needs_the_passport() {
    let mut i = interview(BapReason::Lost {
        police_report_number: String::new(),
        police_report_date: None,
        police_station: " ".into(),
    });
    i.documents = vec![
        BapDocument::Ektp,
        BapDocument::FamilyCard,
        BapDocument::Diploma,
    ];
    let bap = started().update(i, &officer(), utc(3, 1)).expect("draft");
    let missing = bap.missing();
    for m in [
        BapMissing::PoliceReportNumber,
        BapMissing::PoliceReportDate,
        BapMissing::PoliceStation,
        BapMissing::Document {
            document: BapDocument::PoliceReport,
        },
    ] {
        assert!(missing.contains(&m), "{m:?} in {missing:?}");
    }
    assert!(!missing.contains(&BapMissing::CivilRecord));

    let mut i = interview(BapReason::Damaged {
        state: None,
        description: String::new(),
    });
    i.old_passport.number = None;
    i.documents = vec![BapDocument::Ektp, BapDocument::FamilyCard];
    let bap = started().update(i, &officer(), utc(3, 1)).expect("draft");
    let missing = bap.missing();
    for m in [
        BapMissing::PassportNumber,
        BapMissing::DamageState,
        BapMissing::Document {
            document: BapDocument::DamagedPassport,
        },
        BapMissing::CivilRecord,
    ] {
        assert!(missing.contains(&m), "{m:?} in {missing:?}");
    }
}

#[test]
fn identity_and_passport_checks_use_the_identity_rules() {
    let mut i = interview(lost());
    i.identity.nik = "317101450990000".into();
    i.old_passport.number = Some("12".into());
    i.incident_date = Some(date(2026, 12, 1));
    let bap = started().update(i, &officer(), utc(3, 1)).expect("draft");
    let missing = bap.missing();
    assert!(
        missing
            .iter()
            .any(|m| matches!(m, BapMissing::NikInvalid { .. }))
    );
    assert!(missing.contains(&BapMissing::PassportNumberInvalid));
    assert!(missing.contains(&BapMissing::DateInFuture));

    // A NIK date differing from the declared birth date is a warning only.
    let mut i = interview(lost());
    i.identity.birth_date = Some(date(1990, 9, 6));
    let bap = started().update(i, &officer(), utc(3, 1)).expect("draft");
    assert_eq!(bap.missing(), vec![BapMissing::Outcome]);
    assert_eq!(bap.warnings()[0].code(), "nik_birth_date_mismatch");
}

#[test]
fn mrz_is_checked_and_must_match_the_number() {
    let mut i = interview(damaged());
    i.old_passport.mrz = Some([SPECIMEN_1.into(), SPECIMEN_2.into()]);
    let bap = started()
        .update(i.clone(), &officer(), utc(3, 1))
        .expect("draft");
    assert!(bap.missing().contains(&BapMissing::MrzNumberMismatch));

    i.old_passport.number = Some("L898902C3".into());
    let bap = started()
        .update(i.clone(), &officer(), utc(3, 1))
        .expect("draft");
    assert_eq!(bap.missing(), vec![BapMissing::Outcome]);

    let broken = SPECIMEN_2.replacen("L898902C36", "L898902C37", 1);
    i.old_passport.mrz = Some([SPECIMEN_1.into(), broken]);
    let bap = started().update(i, &officer(), utc(3, 1)).expect("draft");
    assert!(
        bap.missing()
            .iter()
            .any(|m| matches!(m, BapMissing::MrzInvalid { .. }))
    );
}

#[test]
fn editing_a_completed_bap_sends_it_back_to_draft() {
    let bap = started()
        .update(interview(lost()), &officer(), utc(3, 1))
        .expect("draft")
        .decide(
            BapOutcome::ApproveWithCharge { book: book() },
            &officer(),
            utc(3, 2),
        )
        .expect("decided")
        .complete(&officer(), utc(3, 3))
        .expect("complete");
    let edited = bap
        .update(bap.interview.clone(), &officer(), utc(3, 4))
        .expect("edit");
    assert_eq!(edited.status, BapStatus::Draft);
    assert_eq!(edited.completed_at, None);
    assert_eq!(
        edited.sign(signatures(4)),
        Err(BapError::NotCompleted {
            status: "draft".into()
        })
    );
}

#[test]
fn signing_needs_a_supervisor_who_is_not_the_examiner() {
    let bap = started()
        .update(interview(lost()), &officer(), utc(3, 1))
        .expect("draft")
        .decide(
            BapOutcome::ApproveWithCharge { book: book() },
            &officer(),
            utc(3, 2),
        )
        .expect("decided")
        .complete(&officer(), utc(3, 3))
        .expect("complete");
    let mut s = signatures(4);
    s.supervisor = OfficerRef::new("andi", Role::Officer);
    assert_eq!(
        bap.sign(s),
        Err(BapError::NotASupervisor {
            role: Role::Officer
        })
    );
    let mut s = signatures(4);
    s.officer = OfficerRef::new("sari", Role::Supervisor);
    assert_eq!(bap.sign(s), Err(BapError::SupervisorIsExaminer));
    let mut s = signatures(4);
    s.at = utc(2, 0);
    assert_eq!(bap.sign(s), Err(BapError::OutOfOrder));
}

#[test]
fn bap_round_trips_through_json() {
    let bap = walk(
        lost(),
        BapOutcome::Suspend {
            months: 6,
            approval: Some(SupervisorApproval {
                by: supervisor(),
                at: utc(3, 15),
            }),
        },
        &[],
    );
    let json = serde_json::to_string(&bap).expect("serialize");
    let back: Bap = serde_json::from_str(&json).expect("deserialize");
    assert_eq!(back, bap);
    assert!(json.contains("\"status\":\"signed\""));
}

#[test]
fn answers_follow_the_form() {
    let i = interview(lost());
    let answers = i.answers();
    assert_eq!(answers.len(), 5);
    assert_eq!(answers[0].id, "chronology");
    assert_eq!(answers[0].answer, i.chronology);
    assert!(
        answers
            .iter()
            .all(|a| a.question.ends_with('?') || a.question.ends_with('.'))
    );
}
