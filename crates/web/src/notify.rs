//! Reminders leave the platform through senders behind one trait: in-app
//! (the notifications table, always), a webhook (a JSON POST, e.g. to an
//! enterprise messaging bot) and email (plain SMTP to the intranet relay).
//! The reminder job records each reminder in-app first, keyed by its
//! subject, and hands only the new ones to the other senders, so running
//! the job twice sends nothing twice.

use std::future::Future;
use std::pin::Pin;

use serde::Serialize;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

/// One reminder for one person.
#[derive(Debug, Clone, Serialize)]
pub struct Notice {
    pub user_id: i64,
    pub username: String,
    #[serde(skip)]
    pub email: Option<String>,
    /// What it is about, unique per user (e.g. `life:12:theme_day:2026-11`).
    pub key: String,
    pub title: String,
    pub body: String,
    /// The page to open, relative to the platform's address.
    pub link: String,
}

pub type SendFuture<'a> = Pin<Box<dyn Future<Output = anyhow::Result<()>> + Send + 'a>>;

/// A way for a reminder to reach someone outside the platform.
pub trait Sender: Send + Sync {
    fn name(&self) -> &'static str;
    /// Whether this sender can reach the person at all (an email needs an address).
    fn reaches(&self, n: &Notice) -> bool;
    fn send<'a>(&'a self, n: &'a Notice) -> SendFuture<'a>;
}

/// Posts each reminder as JSON to a URL.
pub struct Webhook {
    pub url: String,
    client: reqwest::Client,
}

impl Webhook {
    pub fn new(url: impl Into<String>) -> Webhook {
        let client = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(10))
            .build()
            .unwrap_or_else(|_| reqwest::Client::new());
        Webhook { url: url.into(), client }
    }
}

impl Sender for Webhook {
    fn name(&self) -> &'static str {
        "webhook"
    }

    fn reaches(&self, _: &Notice) -> bool {
        true
    }

    fn send<'a>(&'a self, n: &'a Notice) -> SendFuture<'a> {
        Box::pin(async move {
            let r = self.client.post(&self.url).json(n).send().await?;
            anyhow::ensure!(r.status().is_success(), "the webhook answered {}", r.status());
            Ok(())
        })
    }
}

/// Sends each reminder as a plain-text email through an SMTP relay (no
/// authentication, no TLS: the intranet relay's usual terms).
pub struct Smtp {
    /// `host:port`.
    pub relay: String,
    pub from: String,
}

impl Sender for Smtp {
    fn name(&self) -> &'static str {
        "email"
    }

    fn reaches(&self, n: &Notice) -> bool {
        n.email.as_deref().is_some_and(|e| e.contains('@'))
    }

    fn send<'a>(&'a self, n: &'a Notice) -> SendFuture<'a> {
        Box::pin(async move {
            let to = n.email.as_deref().unwrap_or_default();
            let stream =
                tokio::time::timeout(std::time::Duration::from_secs(10), tokio::net::TcpStream::connect(&self.relay))
                    .await??;
            let (read, mut write) = stream.into_split();
            let mut lines = BufReader::new(read).lines();
            // Reads a reply (its last line starts with the code and a space).
            async fn expect(
                lines: &mut tokio::io::Lines<BufReader<tokio::net::tcp::OwnedReadHalf>>,
                code: &str,
            ) -> anyhow::Result<()> {
                loop {
                    let line = lines.next_line().await?.ok_or_else(|| anyhow::anyhow!("the relay hung up"))?;
                    if line.len() >= 4 && &line[3..4] == "-" {
                        continue;
                    }
                    anyhow::ensure!(line.starts_with(code), "the relay answered {line:?}");
                    return Ok(());
                }
            }
            expect(&mut lines, "220").await?;
            for (command, code) in [
                ("EHLO ronghe".to_string(), "250"),
                (format!("MAIL FROM:<{}>", self.from), "250"),
                (format!("RCPT TO:<{to}>"), "250"),
                ("DATA".to_string(), "354"),
            ] {
                write.write_all(format!("{command}\r\n").as_bytes()).await?;
                expect(&mut lines, code).await?;
            }
            let body = format!("{}\r\n\r\n{}\r\n", n.body, n.link).replace("\r\n.", "\r\n..");
            let message = format!(
                "From: <{}>\r\nTo: <{to}>\r\nSubject: {}\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{body}.\r\n",
                self.from,
                encode_header(&n.title)
            );
            write.write_all(message.as_bytes()).await?;
            expect(&mut lines, "250").await?;
            write.write_all(b"QUIT\r\n").await?;
            Ok(())
        })
    }
}

/// RFC 2047 encoding of a subject: always base64, so that neither Chinese
/// text nor a line break in a title can reach the header as it stands.
fn encode_header(text: &str) -> String {
    use base64::Engine;
    format!("=?UTF-8?B?{}?=", base64::engine::general_purpose::STANDARD.encode(text.as_bytes()))
}

#[cfg(test)]
#[test]
fn a_subject_is_encoded_whatever_it_holds() {
    assert_eq!(encode_header("会议"), "=?UTF-8?B?5Lya6K6u?=");
    assert_eq!(encode_header("Man"), "=?UTF-8?B?TWFu?=");
    assert!(!encode_header("Meeting\r\nBcc: x@example.com").contains('\n'));
}
