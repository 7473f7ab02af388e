using System.Text;
using System.Text.Encodings.Web;
using System.Text.Unicode;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;

namespace StatusPlatform.StatusApi.Console.Rendering;

/// <summary>
/// Renders the console's Razor components to HTML on the server, as the status page does (static rendering with
/// HtmlRenderer: no circuit, no blazor.web.js, so no web-assets pack). Every console page belongs to one signed-in
/// person and carries their antiforgery token, so nothing is kept: each request renders its page.
/// </summary>
public sealed class ConsoleRenderer(IServiceProvider services, ILoggerFactory loggers) : IAsyncDisposable
{
    private readonly HtmlRenderer _renderer = new(new RenderingServices(services), loggers);

    public Task<string> RenderAsync<TComponent>(object model) where TComponent : IComponent =>
        _renderer.Dispatcher.InvokeAsync(async () =>
        {
            var root = await _renderer.RenderComponentAsync<TComponent>(ParameterView.FromDictionary(new Dictionary<string, object?> { ["Model"] = model }));
            return "<!DOCTYPE html>\n" + root.ToHtmlString();
        });

    /// <summary>The page as a private, never-stored answer with the console's security headers.</summary>
    public async Task<IResult> PageAsync<TComponent>(object model, int status = StatusCodes.Status200OK) where TComponent : IComponent =>
        new ConsoleHtml(await RenderAsync<TComponent>(model), status);

    public ValueTask DisposeAsync() => _renderer.DisposeAsync();

    /// <summary>Text is encoded only where HTML needs it (the default encoder writes every non-ASCII letter as an entity).</summary>
    private sealed class RenderingServices(IServiceProvider services) : IServiceProvider
    {
        private static readonly HtmlEncoder Encoder = HtmlEncoder.Create(UnicodeRanges.All);

        public object? GetService(Type serviceType) => serviceType == typeof(HtmlEncoder) ? Encoder : services.GetService(serviceType);
    }
}

/// <summary>
/// A console page: never cached (it shows one person's view and a CSRF token), never framed (clickjacking a "resolve"
/// button), no referrer, and a Content-Security-Policy that allows only the console's own style sheet: the pages have
/// no script at all, so an injected one could not run.
/// </summary>
public sealed class ConsoleHtml(string html, int statusCode) : IResult, IStatusCodeHttpResult, IContentTypeHttpResult
{
    public int? StatusCode => statusCode;

    public string ContentType => "text/html; charset=utf-8";

    public string Html => html;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var headers = httpContext.Response.Headers;
        headers.ContentSecurityPolicy = "default-src 'none'; img-src 'self' data:; style-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers.CacheControl = "no-store";
        headers["Referrer-Policy"] = "no-referrer";
        httpContext.Response.StatusCode = statusCode;
        httpContext.Response.ContentType = ContentType;
        var bytes = Encoding.UTF8.GetBytes(html);
        httpContext.Response.ContentLength = bytes.Length;
        if (!HttpMethods.IsHead(httpContext.Request.Method))
            await httpContext.Response.Body.WriteAsync(bytes, httpContext.RequestAborted);
    }
}
