use loket_domain::{Action, Actor, DeviceKind, Role, UserFacing, authorize, may};

#[test]
fn devices_have_only_their_own_rights() {
    for action in Action::ALL {
        let kiosk = may(Actor::Device(DeviceKind::Kiosk), action);
        assert_eq!(
            kiosk,
            matches!(
                action,
                Action::IssueTicket | Action::CheckIn | Action::CheckPickup
            ),
            "kiosk {action}"
        );
        let display = may(Actor::Device(DeviceKind::Display), action);
        assert_eq!(display, action == Action::ReadCalls, "display {action}");
    }
}

#[test]
fn role_table() {
    use Action::*;
    let officer = Actor::Officer(Role::Officer);
    let supervisor = Actor::Officer(Role::Supervisor);
    let head = Actor::Officer(Role::Head);
    let admin = Actor::Officer(Role::Admin);
    for a in [
        CallNext,
        CallGivenTicket,
        Recall,
        NoShow,
        Transfer,
        Park,
        Serve,
        OpenCounter,
        IssueTicket,
        ReadQueue,
        ExamineBap,
        HandOverPassport,
        CheckPickup,
    ] {
        assert!(may(officer, a) && may(supervisor, a) && may(head, a), "{a}");
    }
    for a in [
        CloseDay,
        SetQuotas,
        ForceCall,
        ApproveBap,
        ViewAudit,
        ViewReports,
        CancelPassport,
    ] {
        assert!(!may(officer, a), "officer {a}");
        assert!(may(supervisor, a) && may(head, a), "{a}");
        assert!(!may(admin, a), "admin {a}");
    }
    for a in [ManageUsers, ManageDevices, ManageSettings] {
        assert!(may(admin, a), "{a}");
        assert!(
            !may(head, a) && !may(supervisor, a) && !may(officer, a),
            "{a}"
        );
    }
    assert!(!may(admin, CallNext));
    assert!(!may(admin, ExamineBap) && !may(admin, HandOverPassport));
    assert!(may(admin, CheckPickup));
    // The sync status: supervisors, the head and the admin; not a counter officer.
    assert!(may(supervisor, ViewSync) && may(head, ViewSync) && may(admin, ViewSync));
    assert!(!may(officer, ViewSync));
    let err = authorize(officer, CloseDay).expect_err("forbidden");
    assert_eq!(err.code(), "forbidden");
    assert_eq!(Role::parse("head"), Some(Role::Head));
    assert_eq!(Role::parse("root"), None);
}
