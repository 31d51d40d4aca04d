//! Roster import: one bad row imports nothing and is named; a good file is
//! previewed, confirmed and written whole.

use axum::http::StatusCode;

use crate::both;
use crate::support::id_number;

fn csv(rows: &[[&str; 8]]) -> Vec<u8> {
    let mut s = String::from("姓名,性别,民族,身份证号码,学历,党员类别,入党日期,所在党支部\n");
    for r in rows {
        s.push_str(&r.join(","));
        s.push('\n');
    }
    s.into_bytes()
}

async fn member_count(app: &crate::support::TestApp) -> usize {
    app.store
        .list_members(&ronghe_store::MemberFilter {
            root_path: app.fx.root.path.clone(),
            limit: 10_000,
            ..Default::default()
        })
        .await
        .unwrap()
        .rows
        .len()
}

both!(one_bad_row_imports_nothing_and_is_named, |app| async move {
    let mut c = app.login("admin").await;
    let (a, b) = (id_number(500), id_number(501));
    let mut bad = id_number(502);
    bad.replace_range(17..18, if bad.ends_with('0') { "1" } else { "0" });
    let file = csv(&[
        ["孙一", "男", "汉族", &a, "本科", "正式党员", "2015-07-01", "B1"],
        ["孙二", "男", "汉族", &bad, "大专", "正式党员", "2016/7/1", "B1"],
        ["孙三", "男", "汉", &b, "本科", "预备党员", "2026年1月5日", "B2"],
    ]);
    let before = member_count(&app).await;
    let r = c.upload(&format!("/orgs/{}/import", app.fx.root.id), "roster.csv", &file).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("身份证号码校验位不正确"), "{}", r.text);
    assert!(r.text.contains(">3<"), "row 3 (the header is row 1)");
    assert!(r.text.contains("身份证号码</td>"), "the column as written");
    assert!(!r.text.contains("确认导入"), "no way to confirm");
    assert_eq!(member_count(&app).await, before, "nothing written");

    // Through the API, the same report as JSON.
    let req = axum::http::Request::post(format!("/api/v1/orgs/{}/members/import?file_name=roster.csv", app.fx.root.id))
        .header("x-csrf-token", c.csrf.clone())
        .body(axum::body::Body::from(file.clone()))
        .unwrap();
    let r = c.send(req).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let j = r.json();
    assert_eq!(j["imported"], 0);
    assert_eq!(j["problems"].as_array().unwrap().len(), 1);
    assert_eq!(j["problems"][0]["row"], 3);
    assert_eq!(j["problems"][0]["column"], "身份证号码");
    assert_eq!(j["problems"][0]["code"], "id_number.checksum");
    assert_eq!(member_count(&app).await, before);
});

both!(a_good_file_is_previewed_then_written_whole, |app| async move {
    let mut c = app.login("admin").await;
    let (a, b) = (id_number(600), id_number(601));
    let file = csv(&[
        ["周一", "男", "汉族", &a, "本科", "正式党员", "2015-07-01", "B1"],
        ["周二", "男", "汉", &b.to_lowercase(), "大专", "预备党员", "2026年1月5日", "运行一值党支部"],
    ]);
    let before = member_count(&app).await;
    let r = c.upload(&format!("/orgs/{}/import", app.fx.root.id), "roster.csv", &file).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(r.text.contains("全部 2 行检查通过"));
    assert_eq!(member_count(&app).await, before, "the preview writes nothing");
    let at = r.text.find("/import/").unwrap();
    let commit: String = r.text[at - 30..].split('"').find(|s| s.contains("/commit")).unwrap().to_string();
    let r = c.post_form(&commit, &[]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(r.text.contains("已导入 2 名党员"));
    assert_eq!(member_count(&app).await, before + 2);
    // Each row went to its branch, by code or by name.
    let b2 = app
        .store
        .list_members(&ronghe_store::MemberFilter {
            root_path: app.fx.b2.path.clone(),
            q: Some("周二".into()),
            limit: 5,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(b2.rows.len(), 1);
    // Confirming twice does not import twice.
    let r = c.post_form(&commit, &[]).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // The same file again: every row is already on the roster.
    let r = c.upload(&format!("/orgs/{}/import", app.fx.root.id), "roster.csv", &file).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.text.matches("该身份证号码的党员已在名册中").count(), 2);
});

both!(xlsx_files_with_title_rows_and_date_cells_import, |app| async move {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    ws.write(0, 0, "综采一队党支部党员花名册").unwrap();
    for (i, h) in ["姓名", "性别", "民族", "身份证号码", "党员类别", "入党日期", "转正日期"].iter().enumerate()
    {
        ws.write(1, i as u16, *h).unwrap();
    }
    ws.write(2, 0, " 吴 一 ").unwrap();
    ws.write(2, 1, "男").unwrap();
    ws.write(2, 2, "汉族").unwrap();
    ws.write(2, 3, id_number(700)).unwrap();
    ws.write(2, 4, "正式党员").unwrap();
    ws.write_datetime_with_format(2, 5, ExcelDateTime::from_ymd(2012, 7, 1).unwrap(), &date).unwrap();
    ws.write(2, 6, 41456.0).unwrap(); // 2013-07-01 as a bare serial
    let bytes = wb.save_to_buffer().unwrap();
    let mut c = app.login("sec1").await;
    let req = axum::http::Request::post(format!("/api/v1/orgs/{}/members/import?file_name=hmc.xlsx", app.fx.b1.id))
        .header("x-csrf-token", c.csrf.clone())
        .body(axum::body::Body::from(bytes))
        .unwrap();
    let r = c.send(req).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json()["imported"], 1);
    let m = app
        .store
        .list_members(&ronghe_store::MemberFilter {
            root_path: app.fx.b1.path.clone(),
            q: Some("吴".into()),
            limit: 5,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(m.rows[0].join_date.to_string(), "2012-07-01");
    assert_eq!(m.rows[0].conversion_date.unwrap().to_string(), "2013-07-01");
    assert_eq!(m.rows[0].org_id, app.fx.b1.id, "rows without a branch column go to the organisation imported into");
});

both!(a_secretary_cannot_import_into_another_branch, |app| async move {
    let mut c = app.login("sec1").await;
    let file = csv(&[["郑一", "男", "汉族", &id_number(800), "本科", "正式党员", "2015-07-01", "B2"]]);
    let r = c.upload(&format!("/orgs/{}/import", app.fx.b1.id), "r.csv", &file).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("找不到党支部"), "{}", r.text);
});

both!(the_blank_template_has_every_recognised_header, |app| async move {
    let mut c = app.login("sec1").await;
    let r = c.get(&format!("/orgs/{}/import/template", app.fx.b1.id)).await;
    assert_eq!(r.status, StatusCode::OK);
    let table =
        ronghe_exchange::read_table(ronghe_exchange::FileKind::Xlsx, &r.bytes).expect("the template reads back");
    let map = ronghe_exchange::map_columns(&table.headers).expect("every required column is there");
    for field in ["name", "id_number", "category", "join_date", "ethnicity", "branch"] {
        assert!(map.index_of(field).is_some(), "{field}");
    }
});
