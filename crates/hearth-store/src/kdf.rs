//! Argon2id with its working memory handed back to the operating system after each run.
//!
//! `argon2::Argon2::hash_password_into` allocates its blocks (19 MiB at OWASP's minimum)
//! with an ordinary `Vec`. Under glibc the first such allocation is mmapped; freeing it
//! raises malloc's dynamic mmap threshold to that size, so the next run's 19 MiB comes from a
//! malloc arena instead and stays in the process after it is freed (the app runs Argon2id
//! twice at unlock: the cache key's unwrap and the password verifier, so 19 MiB stayed
//! resident for the life of the app).
//!
//! [`hash_into`] allocates the blocks itself with a capacity above glibc's largest dynamic
//! mmap threshold (32 MiB on 64-bit), so the allocation is always mmapped and freeing it
//! always unmaps it; it never moves the threshold either. Only the blocks Argon2 uses are
//! written, so only they become resident; the rest of the capacity is address space. The
//! blocks hold data derived from the password and are zeroed before they are freed. With
//! another allocator the extra capacity is unused address space and nothing else changes.

use argon2::{Algorithm, Argon2, Block, Params, Version};
use zeroize::Zeroize as _;

/// glibc's `DEFAULT_MMAP_THRESHOLD_MAX` on 64-bit (4 MiB × `sizeof(long)`): the dynamic
/// threshold never rises above it, so a larger allocation is always served by `mmap`.
const GLIBC_MMAP_THRESHOLD_MAX: usize = 32 * 1024 * 1024;

/// Blocks to reserve so the allocation is strictly larger than that threshold.
const MMAP_BLOCKS: usize = GLIBC_MMAP_THRESHOLD_MAX / Block::SIZE + 1;

/// Argon2id (version 0x13) of `password` with `salt` and `params` into `out`.
///
/// The same result as `Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
/// .hash_password_into(..)`; the difference is where the blocks live (see the module).
pub fn hash_into(
    params: Params,
    password: &[u8],
    salt: &[u8],
    out: &mut [u8],
) -> Result<(), argon2::Error> {
    let blocks = params.block_count();
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
    let mut memory: Vec<Block> = Vec::with_capacity(blocks.max(MMAP_BLOCKS));
    memory.resize(blocks, Block::new());
    let result = argon.hash_password_into_with_memory(password, salt, out, &mut memory[..]);
    for block in memory.iter_mut() {
        block.as_mut().zeroize();
    }
    drop(memory);
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hash_is_argon2ids_own() {
        let params = Params::new(64, 2, 1, Some(32)).unwrap();
        let mut ours = [0u8; 32];
        hash_into(
            params.clone(),
            b"invented password",
            b"sixteen byte salt",
            &mut ours,
        )
        .unwrap();
        let mut theirs = [0u8; 32];
        Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
            .hash_password_into(b"invented password", b"sixteen byte salt", &mut theirs)
            .unwrap();
        assert_eq!(ours, theirs);
        assert_ne!(ours, [0u8; 32]);
    }

    #[test]
    fn a_bad_salt_is_an_error_not_a_panic() {
        let params = Params::new(64, 2, 1, Some(32)).unwrap();
        let mut out = [0u8; 32];
        assert!(hash_into(params, b"pw", b"short", &mut out).is_err());
    }
}
