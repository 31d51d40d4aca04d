//! Word documents (.docx) of paragraphs and simple tables: the forms
//! secretaries print and file (a meeting's minutes). A .docx is a zip of a
//! few XML parts; this writes the smallest set Word and WPS open, with a
//! Chinese body font.

use std::io::Write;

use crate::ExportError;

/// A block of a document.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// A heading, centred and bold.
    Title(String),
    /// A paragraph; line breaks in the text start new lines.
    Para(String),
    /// A bordered table of label / value rows (the first column bold).
    Table(Vec<(String, String)>),
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            // Characters XML 1.0 does not allow are dropped.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

const FONT: &str = r#"<w:rFonts w:ascii="SimSun" w:hAnsi="SimSun" w:eastAsia="宋体"/>"#;

fn runs(text: &str, bold: bool, size: u32) -> String {
    let props = format!(r#"<w:rPr>{FONT}{}<w:sz w:val="{size}"/></w:rPr>"#, if bold { "<w:b/>" } else { "" });
    text.split('\n')
        .enumerate()
        .map(|(i, line)| {
            let br = if i > 0 { "<w:br/>" } else { "" };
            format!(r#"<w:r>{props}{br}<w:t xml:space="preserve">{}</w:t></w:r>"#, escape(line))
        })
        .collect()
}

fn paragraph(text: &str, bold: bool, size: u32, centre: bool) -> String {
    let jc = if centre { r#"<w:jc w:val="center"/>"# } else { "" };
    format!(r#"<w:p><w:pPr>{jc}<w:spacing w:after="120"/></w:pPr>{}</w:p>"#, runs(text, bold, size))
}

fn table(rows: &[(String, String)]) -> String {
    let border = r#"<w:top w:val="single" w:sz="4"/><w:left w:val="single" w:sz="4"/><w:bottom w:val="single" w:sz="4"/><w:right w:val="single" w:sz="4"/><w:insideH w:val="single" w:sz="4"/><w:insideV w:val="single" w:sz="4"/>"#;
    let mut out = format!(
        r#"<w:tbl><w:tblPr><w:tblW w:w="5000" w:type="pct"/><w:tblBorders>{border}</w:tblBorders></w:tblPr><w:tblGrid><w:gridCol w:w="1800"/><w:gridCol w:w="7200"/></w:tblGrid>"#
    );
    for (label, value) in rows {
        out.push_str(&format!(
            r#"<w:tr><w:tc><w:tcPr><w:tcW w:w="1800" w:type="dxa"/></w:tcPr>{}</w:tc><w:tc><w:tcPr><w:tcW w:w="7200" w:type="dxa"/></w:tcPr>{}</w:tc></w:tr>"#,
            paragraph(label, true, 24, false),
            paragraph(value, false, 24, false)
        ));
    }
    out.push_str("</w:tbl>");
    out
}

/// The document as .docx bytes.
pub fn write_docx(blocks: &[Block]) -> Result<Vec<u8>, ExportError> {
    let body: String = blocks
        .iter()
        .map(|b| match b {
            Block::Title(t) => paragraph(t, true, 36, true),
            Block::Para(t) => paragraph(t, false, 24, false),
            Block::Table(rows) => table(rows) + &paragraph("", false, 24, false),
        })
        .collect();
    let document = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{body}<w:sectPr><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="1440" w:right="1440" w:bottom="1440" w:left="1440"/></w:sectPr></w:body></w:document>"#
    );
    let parts: [(&str, &str); 3] = [
        (
            "[Content_Types].xml",
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#,
        ),
        (
            "_rels/.rels",
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#,
        ),
        ("word/document.xml", &document),
    ];
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, text) in parts {
        zip.start_file(name, options).map_err(|e| ExportError::Docx(e.to_string()))?;
        zip.write_all(text.as_bytes()).map_err(|e| ExportError::Docx(e.to_string()))?;
    }
    Ok(zip.finish().map_err(|e| ExportError::Docx(e.to_string()))?.into_inner())
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    #[test]
    fn a_docx_is_a_zip_with_the_document_escaped() {
        let bytes = write_docx(&[
            Block::Title("运行一值党支部会议记录".into()),
            Block::Table(vec![("会议主题".into(), "安全 & 党建 <融合>".into())]),
            Block::Para("一、学习\n二、讨论".into()),
        ])
        .unwrap();
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let names: Vec<String> = (0..zip.len()).map(|i| zip.by_index(i).unwrap().name().to_string()).collect();
        assert_eq!(names, ["[Content_Types].xml", "_rels/.rels", "word/document.xml"]);
        let mut doc = String::new();
        zip.by_name("word/document.xml").unwrap().read_to_string(&mut doc).unwrap();
        assert!(doc.contains("运行一值党支部会议记录") && doc.contains("安全 &amp; 党建 &lt;融合&gt;"));
        assert!(doc.contains("<w:br/>") && doc.contains("w:tbl"));
    }
}
