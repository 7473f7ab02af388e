using System.Security.Cryptography;
using System.Text;

namespace StatusPlatform.Notify.Subscribers;

/// <summary>
/// Twilio's request signature (X-Twilio-Signature, "Webhooks security" in Twilio's docs): base64 of HMAC-SHA1, keyed
/// with the account's auth token, over the full URL Twilio called (scheme to query string) followed by each POST
/// parameter's name and value, sorted by name, with no separators. Pure, so the published example is a test.
/// </summary>
public static class TwilioSignature
{
    public const string Header = "X-Twilio-Signature";

    public static string Compute(string authToken, string url, IEnumerable<KeyValuePair<string, string>> form)
    {
        var data = new StringBuilder(url);
        // Ordinal order, as Twilio's libraries sort; a name sent twice contributes each value, also in order.
        foreach (var (key, value) in form.Order(Ordinal.Instance))
            data.Append(key).Append(value);
        // Twilio's protocol fixes SHA-1; as an HMAC keyed with a secret it is not open to SHA-1's collision attacks.
#pragma warning disable CA5350
        return Convert.ToBase64String(HMACSHA1.HashData(Encoding.UTF8.GetBytes(authToken), Encoding.UTF8.GetBytes(data.ToString())));
#pragma warning restore CA5350
    }

    /// <summary>Whether <paramref name="signature"/> is the one for this URL and form, compared in constant time.</summary>
    public static bool IsValid(string authToken, string url, IEnumerable<KeyValuePair<string, string>> form, string? signature)
    {
        if (string.IsNullOrEmpty(signature))
            return false;
        var expected = Encoding.ASCII.GetBytes(Compute(authToken, url, form));
        return CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(signature));
    }

    private sealed class Ordinal : IComparer<KeyValuePair<string, string>>
    {
        public static readonly Ordinal Instance = new();

        public int Compare(KeyValuePair<string, string> x, KeyValuePair<string, string> y) =>
            string.CompareOrdinal(x.Key, y.Key) is var byKey and not 0 ? byKey : string.CompareOrdinal(x.Value, y.Value);
    }
}
