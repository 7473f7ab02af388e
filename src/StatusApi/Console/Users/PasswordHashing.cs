using System.Security.Cryptography;

namespace StatusPlatform.StatusApi.Console.Users;

/// <summary>A stored password: the PBKDF2 output, its salt and the iteration count it was made with.</summary>
public sealed record PasswordHash(byte[] Hash, byte[] Salt, int Iterations);

/// <summary>
/// PBKDF2-HMAC-SHA256 (Rfc2898DeriveBytes.Pbkdf2) with a 16-byte random salt per password. People choose passwords,
/// so unlike API keys (32 random bytes, SHA-256 is enough) they need a deliberately slow hash. bcrypt and Argon2 would
/// be the first choices, but neither is in the framework nor on the offline package mirror; PBKDF2 at 600,000
/// iterations is what OWASP recommends when FIPS-style primitives are all there is.
/// </summary>
public static class PasswordHashing
{
    private const int SaltBytes = 16;
    private const int HashBytes = 32;

    // Hashing costs a few hundred milliseconds of one core; on a small box two at a time keeps a burst of sign-ins
    // (or of guesses) from starving the status page this process also serves.
    private static readonly SemaphoreSlim Slots = new(2, 2);

    public static async Task<PasswordHash> HashAsync(string password, int iterations, CancellationToken ct)
    {
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        return new PasswordHash(await DeriveAsync(password, salt, iterations, ct), salt, iterations);
    }

    /// <summary>Compares in constant time; the cost is the same whether the password is right or wrong.</summary>
    public static async Task<bool> VerifyAsync(string password, PasswordHash stored, CancellationToken ct) =>
        CryptographicOperations.FixedTimeEquals(await DeriveAsync(password, stored.Salt, stored.Iterations, ct), stored.Hash);

    private static async Task<byte[]> DeriveAsync(string password, byte[] salt, int iterations, CancellationToken ct)
    {
        await Slots.WaitAsync(ct);
        try
        {
            return await Task.Run(() => Rfc2898DeriveBytes.Pbkdf2(password, salt, iterations, HashAlgorithmName.SHA256, HashBytes), ct);
        }
        finally
        {
            Slots.Release();
        }
    }
}
