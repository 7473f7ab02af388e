using System.Collections;
using Microsoft.Extensions.Logging;

namespace StatusPlatform.ServiceDefaults;

/// <summary>
/// The host's logger factory behind a filter that passes every message, structured value, scope and exception through
/// <see cref="SecretRedaction"/>, so no provider (console, OTLP, a test's capture) ever gets a token. It matters as soon as
/// an operator lowers a level: ASP.NET Core logs each request's path at Information, HttpClient each outbound URL.
/// </summary>
public sealed class RedactingLoggerFactory(ILoggerFactory inner) : ILoggerFactory
{
    public ILogger CreateLogger(string categoryName) => new RedactingLogger(inner.CreateLogger(categoryName));

    public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

    public void Dispose() => inner.Dispose();

    private sealed class RedactingLogger(ILogger inner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull
        {
            // Scopes go out as attributes of every record inside them (ASP.NET Core's holds the request path).
            var text = state.ToString() ?? "";
            var redactedText = SecretRedaction.Redact(text);
            if (state is IReadOnlyList<KeyValuePair<string, object?>> values && RedactedState.Of(values, redactedText, redactedText != text) is { } redacted)
                return inner.BeginScope(redacted);
            return redactedText != text ? inner.BeginScope(redactedText) : inner.BeginScope(state);
        }

        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!inner.IsEnabled(logLevel))
                return;
            var message = formatter(state, exception);
            var redactedMessage = SecretRedaction.Redact(message);
            // Providers print the exception's ToString (console) or its message and stack (OTLP): the same secrets, elsewhere.
            var safeException = exception is null ? null : RedactedException.Redact(exception);
            var values = state as IReadOnlyList<KeyValuePair<string, object?>>;
            if (values is not null && RedactedState.Of(values, redactedMessage, redactedMessage != message) is { } redacted)
                inner.Log(logLevel, eventId, redacted, safeException, static (s, _) => s.Message);
            else if (redactedMessage != message)
                inner.Log(logLevel, eventId, new RedactedState([], redactedMessage), safeException, static (s, _) => s.Message);
            else
                inner.Log(logLevel, eventId, state, safeException, formatter);
        }
    }

    /// <summary>Structured values with secrets cut out; null from <see cref="Of"/> when nothing needed cutting.</summary>
    private sealed class RedactedState(List<KeyValuePair<string, object?>> values, string message) : IReadOnlyList<KeyValuePair<string, object?>>
    {
        public string Message => message;

        public int Count => values.Count;

        public KeyValuePair<string, object?> this[int index] => values[index];

        public static RedactedState? Of(IReadOnlyList<KeyValuePair<string, object?>> original, string redactedMessage, bool messageChanged)
        {
            List<KeyValuePair<string, object?>>? copy = null;
            for (var i = 0; i < original.Count; i++)
            {
                var (key, value) = original[i];
                // Numbers, times and flags hold no URL; a string, Uri or PathString may.
                if (key == "{OriginalFormat}" || value is null or ValueType)
                    continue;
                var text = value.ToString() ?? "";
                var redacted = SecretRedaction.Redact(text);
                if (redacted == text)
                    continue;
                copy ??= [.. original];
                copy[i] = new KeyValuePair<string, object?>(key, redacted);
            }
            return copy is null && !messageChanged ? null : new RedactedState(copy ?? [.. original], redactedMessage);
        }

        public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => values.GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        public override string ToString() => message;
    }
}
