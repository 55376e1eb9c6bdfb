//! Machine names (`as_str`) and serde forms agree, so the hub's stored strings, API JSON
//! and log fields are one vocabulary.

use loket_domain::{Action, DayKind, Lane, PriorityGroup, Role, ServiceCode, Stage};

fn same<T: serde::Serialize>(value: &T, name: &str) {
    assert_eq!(
        serde_json::to_string(value).ok(),
        Some(format!("\"{name}\""))
    );
}

#[test]
fn serde_names_are_the_machine_names() {
    ServiceCode::ALL.iter().for_each(|v| same(v, v.as_str()));
    ServiceCode::ALL
        .iter()
        .for_each(|v| assert_eq!(ServiceCode::parse(v.as_str()), Some(*v)));
    Stage::ALL.iter().for_each(|v| same(v, v.as_str()));
    Lane::ALL.iter().for_each(|v| same(v, v.as_str()));
    PriorityGroup::ALL.iter().for_each(|v| same(v, v.as_str()));
    DayKind::ALL.iter().for_each(|v| same(v, v.as_str()));
    Role::ALL.iter().for_each(|v| same(v, v.as_str()));
    Action::ALL.iter().for_each(|v| same(v, v.as_str()));
}
