using System.Net;
using Microsoft.AspNetCore.Http;

namespace BertFunctions.LocalHost;

/// <summary>
/// The local host has no authentication: it listens on loopback, so only this machine can reach it. A web page the
/// user has open can still try, through the browser: DNS rebinding (a page whose name resolves to 127.0.0.1 talks to
/// the host as a same-origin site) and cross-site requests (a form or fetch that starts or cancels runs). So a request
/// must name a loopback host (<c>Host</c>), and a state-changing request that comes from a browser (it carries
/// <c>Origin</c>) must come from a loopback origin. Answers otherwise are problem details: 400 and 403.
/// </summary>
public static class LoopbackRequestGuard
{
    public static async Task InvokeAsync(HttpContext context, Func<Task> next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        if (!IsLoopbackName(context.Request.Host.Host))
        {
            await Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Bad Request", detail: $"the local host answers requests for loopback names only (localhost, 127.0.0.1, [::1]), not '{context.Request.Host}'")
                .ExecuteAsync(context).ConfigureAwait(false);
            return;
        }

        var origin = context.Request.Headers.Origin.ToString();
        if (!HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method) && origin.Length > 0 && !IsLoopbackOrigin(origin))
        {
            await Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden", detail: $"cross-site requests are refused: origin '{origin}' is not this machine")
                .ExecuteAsync(context).ConfigureAwait(false);
            return;
        }

        await next().ConfigureAwait(false);
    }

    /// <summary>localhost, or an IP literal of a loopback address (127.0.0.0/8, ::1).</summary>
    public static bool IsLoopbackName(string host) =>
        string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));

    /// <summary>An <c>http</c> or <c>https</c> origin whose host is a loopback name.</summary>
    public static bool IsLoopbackOrigin(string origin) =>
        Uri.TryCreate(origin, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && IsLoopbackName(uri.Host);
}
