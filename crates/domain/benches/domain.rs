//! Micro-benchmarks of the work every roster row and every request does:
//! `cargo bench -p ronghe-domain`. Each is per call.

use chrono::NaiveDate;
use criterion::{black_box, criterion_group, criterion_main, Criterion};
use ronghe_domain::auth::{Action, Binding, Principal, Role};
use ronghe_domain::id_number::IdNumber;
use ronghe_domain::members::{name_initials, MemberInput};
use ronghe_domain::text::parse_date;

fn input() -> MemberInput {
    MemberInput {
        name: "欧阳明华".into(),
        gender: "男".into(),
        ethnicity: "汉族".into(),
        birth_date: "1980-03-05".into(),
        id_number: "41080219800305001X".into(),
        education: "大学本科".into(),
        post: "采煤机司机".into(),
        unit: "东岭煤矿".into(),
        phone: "138 0013 8000".into(),
        category: "正式党员".into(),
        join_date: "2005年7月1日".into(),
        conversion_date: "2006/7/1".into(),
    }
}

fn bench(c: &mut Criterion) {
    let today = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
    // The check character of the input above, so that it validates.
    let mut i = input();
    let first17 = &i.id_number[..17];
    i.id_number = format!("{first17}{}", ronghe_domain::id_number::check_char(first17.as_bytes()));
    assert!(i.validate(today).is_ok());

    c.bench_function("id_number_parse", |b| b.iter(|| IdNumber::parse(black_box(&i.id_number))));
    c.bench_function("parse_date_chinese", |b| b.iter(|| parse_date(black_box("2005年7月1日"))));
    c.bench_function("name_initials", |b| b.iter(|| name_initials(black_box("欧阳明华"))));
    c.bench_function("member_validate", |b| b.iter(|| black_box(&i).validate(today)));

    let principal = Principal {
        user_id: 1,
        tenant_id: 1,
        username: "sec".into(),
        display_name: "sec".into(),
        member_id: None,
        bindings: vec![
            Binding { role: Role::Member, org_id: 9, org_path: "/1/4/9/".into() },
            Binding { role: Role::Secretary, org_id: 9, org_path: "/1/4/9/".into() },
        ],
    };
    c.bench_function("permission_check", |b| b.iter(|| principal.can(Action::WriteRoster, black_box("/1/4/9/12/"))));
}

criterion_group!(benches, bench);
criterion_main!(benches);
