namespace StatusPlatform.Notify.Tests.Fixtures;

/// <summary>Settings the channel tests share: receivers on loopback allowed, a known signing key, quick retries.</summary>
public static class TestSettings
{
    public const string SigningKey = "test-signing-key-of-at-least-32-characters";

    public static Dictionary<string, string> With(params (string Key, string Value)[] more)
    {
        var settings = new Dictionary<string, string>
        {
            ["Notify:AllowPrivateWebhookTargets"] = "true",
            ["Notify:SigningKey"] = SigningKey,
            ["Delivery:RetryDelay"] = "00:00:00.050",
            ["Delivery:MaxRetryDelay"] = "00:00:00.200",
        };
        foreach (var (key, value) in more)
            settings[key] = value;
        return settings;
    }
}
