namespace StatusPlatform.ServiceDefaults;

/// <summary>
/// Stands in, on its way to the log providers, for an exception whose text holds a secret: an HttpRequestException
/// naming a URL with a token, a PostgreSQL error quoting the parameter it could not read. Message, stack, inner
/// exceptions and <see cref="ToString"/> are the original's with the secrets cut out, and ToString still starts with the
/// original type's name, so the console and OTLP's exception.stacktrace read as before; only OTLP's exception.type
/// names this class (<see cref="OriginalType"/> keeps the original's). Exceptions without a secret are passed on
/// unchanged, type and all.
/// </summary>
public sealed class RedactedException : Exception
{
    private readonly string _text;
    private readonly string? _stackTrace;

    private RedactedException(Exception original, string redactedText)
        : base(SecretRedaction.Redact(original.Message), original.InnerException is { } inner ? Redact(inner) : null)
    {
        _text = redactedText;
        _stackTrace = original.StackTrace is { } stackTrace ? SecretRedaction.Redact(stackTrace) : null;
        OriginalType = original.GetType().FullName ?? original.GetType().Name;
        HResult = original.HResult;
        Source = original.Source;
    }

    /// <summary>The full name of the exception this one stands in for.</summary>
    public string OriginalType { get; }

    public override string? StackTrace => _stackTrace;

    public override string ToString() => _text;

    /// <summary>The exception itself when its text (message, inner exceptions, stack) holds no secret; otherwise a redacted stand-in.</summary>
    public static Exception Redact(Exception exception)
    {
        if (exception is RedactedException)
            return exception;
        var text = exception.ToString();
        var redacted = SecretRedaction.Redact(text);
        return redacted == text ? exception : new RedactedException(exception, redacted);
    }
}
