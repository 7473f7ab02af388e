using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Unicode;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;

namespace StatusPlatform.StatusApi.StatusPage.Rendering;

/// <summary>One rendered page: its UTF-8 bytes and a strong ETag over them (equal bytes, equal tag, on every replica).</summary>
public sealed class RenderedHtml
{
    public RenderedHtml(string html)
    {
        Bytes = Encoding.UTF8.GetBytes(html);
        ETag = $"\"{Convert.ToHexStringLower(SHA256.HashData(Bytes).AsSpan(0, 16))}\"";
    }

    public byte[] Bytes { get; }

    public string ETag { get; }
}

/// <summary>
/// Renders the Razor components of the status page to HTML on the server (static rendering: no circuit, no
/// WebAssembly) and keeps each page per version and language: the first reader after a change renders it, every other
/// reader gets the same bytes, as the v2 JSON is serialized once per change. Rendering here rather than through
/// MapRazorComponents is what lets a page be kept, tagged and answered with 304 like the JSON.
/// </summary>
public sealed class HtmlPages(IServiceProvider services, ILoggerFactory loggers) : IAsyncDisposable
{
    // Keys include incident ids and history page numbers from URLs; past this many the cache starts over.
    private const int MaxEntries = 512;

    private readonly HtmlRenderer _renderer = new(new RenderingServices(services), loggers);
    private readonly ConcurrentDictionary<string, (string Version, Lazy<Task<RenderedHtml>> Html)> _pages = new(StringComparer.Ordinal);

    /// <summary>The page for <paramref name="key"/> at <paramref name="version"/>; the model is built and rendered only if no reader did already.</summary>
    public async Task<RenderedHtml> GetAsync<TComponent>(string key, string version, Func<object> model) where TComponent : IComponent
    {
        if (!_pages.TryGetValue(key, out var entry) || entry.Version != version)
        {
            if (_pages.Count >= MaxEntries)
                _pages.Clear();
            (string Version, Lazy<Task<RenderedHtml>> Html) fresh = (version, new Lazy<Task<RenderedHtml>>(() => RenderAsync<TComponent>(model())));
            entry = _pages.AddOrUpdate(key, fresh, (_, existing) => existing.Version == version ? existing : fresh);
        }
        try
        {
            return await entry.Html.Value;
        }
        catch (Exception)
        {
            _pages.TryRemove(KeyValuePair.Create(key, entry));
            throw;
        }
    }

    /// <summary>Renders without keeping the result (pages for one reader: forms, answers with tokens).</summary>
    public Task<RenderedHtml> RenderAsync<TComponent>(object model) where TComponent : IComponent =>
        _renderer.Dispatcher.InvokeAsync(async () =>
        {
            var root = await _renderer.RenderComponentAsync<TComponent>(ParameterView.FromDictionary(new Dictionary<string, object?> { ["Model"] = model }));
            return new RenderedHtml("<!DOCTYPE html>\n" + root.ToHtmlString());
        });

    public ValueTask DisposeAsync() => _renderer.DisposeAsync();

    /// <summary>
    /// The app's services, except that text is encoded only where HTML needs it: the default encoder writes every
    /// non-ASCII letter as an entity, which makes a German page larger and its source unreadable.
    /// </summary>
    private sealed class RenderingServices(IServiceProvider services) : IServiceProvider
    {
        private static readonly HtmlEncoder Encoder = HtmlEncoder.Create(UnicodeRanges.All);

        public object? GetService(Type serviceType) => serviceType == typeof(HtmlEncoder) ? Encoder : services.GetService(serviceType);
    }
}
