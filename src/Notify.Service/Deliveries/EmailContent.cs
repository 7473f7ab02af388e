namespace StatusPlatform.Notify.Deliveries;

/// <summary>A rendered email; it is stored in the delivery row so a retry sends exactly what was decided.</summary>
public sealed record EmailContent(string Subject, string Text, string Html);
