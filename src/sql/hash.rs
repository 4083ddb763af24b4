//! A fast 64-bit hasher for statement fingerprints.
//!
//! Fingerprints are compared within one run only (base and head statements
//! of the same process), so the hasher needs no stability across versions,
//! only speed and good mixing: each 8-byte word is folded in with a 128-bit
//! multiply (the construction of wyhash/rapidhash). It is not meant to resist
//! crafted collisions; SQL files are the user's own.
use std::hash::Hasher;

const K0: u64 = 0x2d35_8dcc_aa6c_78a5;
const K1: u64 = 0x8bb8_4b93_962e_acc9;
const K2: u64 = 0x4b33_a62e_d433_d4a3;

#[inline]
fn fold(a: u64, b: u64) -> u64 {
    let full = (a as u128).wrapping_mul(b as u128);
    (full as u64) ^ ((full >> 64) as u64)
}

/// Streaming hasher: `write` takes any number of bytes.
#[derive(Debug, Clone)]
pub(crate) struct FastHasher {
    state: u64,
    len: u64,
}

impl Default for FastHasher {
    fn default() -> Self {
        FastHasher { state: K0, len: 0 }
    }
}

impl FastHasher {
    #[inline]
    fn word(&mut self, w: u64) {
        self.state = fold(w ^ K1, self.state ^ K2);
    }
}

impl Hasher for FastHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        self.len = self.len.wrapping_add(bytes.len() as u64);
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            self.word(u64::from_le_bytes(c.try_into().expect("8 bytes")));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut buf = [0u8; 8];
            buf[..rest.len()].copy_from_slice(rest);
            // The length in the top byte keeps "a" and "a\0" apart.
            self.word(u64::from_le_bytes(buf) ^ ((rest.len() as u64) << 59));
        }
    }

    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.len = self.len.wrapping_add(1);
        self.word(u64::from(i) | 1 << 62);
    }

    #[inline]
    fn write_u16(&mut self, i: u16) {
        self.len = self.len.wrapping_add(2);
        self.word(u64::from(i) | 2 << 61);
    }

    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.len = self.len.wrapping_add(8);
        self.word(i);
    }

    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.write_u64(i as u64);
    }

    #[inline]
    fn finish(&self) -> u64 {
        fold(self.state ^ self.len, K0 ^ K2)
    }
}

#[cfg(test)]
mod tests {
    use std::hash::{Hash, Hasher};

    use super::FastHasher;

    fn h<T: Hash + ?Sized>(v: &T) -> u64 {
        let mut s = FastHasher::default();
        v.hash(&mut s);
        s.finish()
    }

    #[test]
    fn distinguishes_close_inputs() {
        let inputs = [
            "",
            "a",
            "b",
            "a\0",
            "ab",
            "ba",
            "abcdefgh",
            "abcdefgi",
            "abcdefghi",
            "'x'",
            "'y'",
        ];
        let mut seen = std::collections::HashSet::new();
        for i in inputs {
            assert!(seen.insert(h(i)), "collision on {i:?}");
        }
        assert_ne!(h(&(1u8, 2u8)), h(&(2u8, 1u8)));
        assert_ne!(h(&("ab", "c")), h(&("a", "bc")));
        assert_eq!(h("same"), h("same"));
    }
}
