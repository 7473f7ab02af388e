using System.Security.Cryptography;

namespace StatusPlatform.Incident;

/// <summary>Opaque ids in the Statuspage style: 12 lowercase letters and digits.</summary>
public static class Ids
{
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";

    public static string New() => RandomNumberGenerator.GetString(Alphabet, 12);
}
