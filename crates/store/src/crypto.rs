//! Encryption of personal data at rest, with China's national algorithms:
//! SM4 in GCM mode for the values, HMAC-SM3 for a blind index that finds
//! duplicates without decrypting. Both keys derive from one data key that
//! the operator keeps outside the database.

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::aes::cipher::consts::U12;
use aes_gcm::{AesGcm, Nonce};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sm3::{Digest, Sm3};

type Sm4Gcm = AesGcm<sm4::Sm4, U12>;

/// The operator's secret: 32 bytes, written as 64 hex digits.
#[derive(Clone)]
pub struct DataKey([u8; 32]);

impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DataKey(redacted)")
    }
}

impl DataKey {
    pub fn from_hex(s: &str) -> anyhow::Result<DataKey> {
        let bytes = hex::decode(s.trim()).map_err(|_| anyhow::anyhow!("the data key is not hex"))?;
        let arr: [u8; 32] =
            bytes.try_into().map_err(|_| anyhow::anyhow!("the data key must be 64 hex digits (32 bytes)"))?;
        Ok(DataKey(arr))
    }

    pub fn generate() -> DataKey {
        let mut k = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut k);
        DataKey(k)
    }

    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }
}

pub struct FieldCipher {
    aead: Sm4Gcm,
    index_key: [u8; 32],
}

fn derive(key: &DataKey, label: &str) -> [u8; 32] {
    let mut h = Sm3::new();
    h.update(label.as_bytes());
    h.update(key.0);
    h.finalize().into()
}

impl FieldCipher {
    pub fn new(key: &DataKey) -> FieldCipher {
        let enc = derive(key, "ronghe field encryption v1");
        let aead = Sm4Gcm::new_from_slice(&enc[..16]).expect("SM4 takes a 16-byte key");
        FieldCipher { aead, index_key: derive(key, "ronghe blind index v1") }
    }

    /// Nonce (12 bytes) followed by ciphertext and tag. Nonces come from
    /// the thread's CSPRNG (seeded from the OS), not a system call each:
    /// an import encrypts two values a row.
    pub fn encrypt(&self, plain: &str) -> Vec<u8> {
        let mut nonce = [0u8; 12];
        rand::thread_rng().fill_bytes(&mut nonce);
        let ct = self
            .aead
            .encrypt(Nonce::from_slice(&nonce), plain.as_bytes())
            .expect("SM4-GCM encryption does not fail for short inputs");
        let mut out = nonce.to_vec();
        out.extend(ct);
        out
    }

    pub fn decrypt(&self, data: &[u8]) -> anyhow::Result<String> {
        if data.len() < 12 {
            anyhow::bail!("ciphertext too short");
        }
        let (nonce, ct) = data.split_at(12);
        let plain = self
            .aead
            .decrypt(Nonce::from_slice(nonce), ct)
            .map_err(|_| anyhow::anyhow!("decryption failed: wrong data key or altered value"))?;
        Ok(String::from_utf8(plain)?)
    }

    /// A keyed hash of a normalised value: equal values give equal indexes,
    /// and nobody without the key can test a guess against it.
    pub fn blind_index(&self, value: &str) -> String {
        let mut mac = <Hmac<Sm3> as Mac>::new_from_slice(&self.index_key).expect("any key length");
        mac.update(value.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_tamper() {
        let c = FieldCipher::new(&DataKey::generate());
        let e = c.encrypt("11010519491231002X");
        assert_eq!(c.decrypt(&e).unwrap(), "11010519491231002X");
        assert_ne!(c.encrypt("x"), c.encrypt("x"), "nonces differ");
        let mut bad = e.clone();
        bad[14] ^= 1;
        assert!(c.decrypt(&bad).is_err());
        let other = FieldCipher::new(&DataKey::generate());
        assert!(other.decrypt(&e).is_err());
        assert_eq!(c.blind_index("a"), c.blind_index("a"));
        assert_ne!(c.blind_index("a"), other.blind_index("a"));
    }

    #[test]
    fn keys_parse() {
        let k = DataKey::generate();
        assert_eq!(DataKey::from_hex(&k.to_hex()).unwrap().0, k.0);
        assert!(DataKey::from_hex("abcd").is_err());
        assert!(!format!("{k:?}").contains(&k.to_hex()));
    }
}
