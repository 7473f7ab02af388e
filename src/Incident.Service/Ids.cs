using System.Security.Cryptography;
using System.Text;

namespace StatusPlatform.Incident;

/// <summary>Opaque ids in the Statuspage style: 12 lowercase letters and digits.</summary>
public static class Ids
{
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";

    public static string New() => RandomNumberGenerator.GetString(Alphabet, 12);

    /// <summary>
    /// An id that the same source always yields: a redelivered command or a second instance doing the same work names the
    /// same stream, and the event store's expected version turns the repeat into a no-op.
    /// </summary>
    public static string Derived(string source) =>
        string.Concat(SHA256.HashData(Encoding.UTF8.GetBytes(source)).Take(12).Select(b => Alphabet[b % Alphabet.Length]));
}
