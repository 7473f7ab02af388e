namespace StatusPlatform.StatusApi.PublicApi.Wire;

// Property order is the wire order (statuspage-api.md 1.2); the serializer writes them as declared.

/// <summary>The <c>page</c> object every v2 response starts with.</summary>
public sealed record Page(string Id, string Name, string Url, string TimeZone, DateTimeOffset UpdatedAt);
