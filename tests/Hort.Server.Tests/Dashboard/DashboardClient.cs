using System.Net;
using System.Security.Cryptography;
using AngleSharp;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;

namespace Hort.Server.Tests.Dashboard;

/// <summary>
/// A browser-like client of a real hortd's dashboard: keeps cookies, does not follow redirects on its own (tests see
/// them), reads pages as AngleSharp documents and submits forms with their antiforgery token.
/// </summary>
internal sealed class DashboardClient : IDisposable
{
    private readonly HttpClient _http;

    public DashboardClient(TestServer server, string? language = null)
    {
        Server = server;
        Cookies = new CookieContainer();
        var fingerprint = server.Host.Identity.Fingerprint;
        var handler = new HttpClientHandler
        {
            CookieContainer = Cookies,
            AllowAutoRedirect = false,
            ServerCertificateCustomValidationCallback = (_, certificate, _, _) =>
                certificate is not null && Convert.ToHexStringLower(certificate.GetCertHash(HashAlgorithmName.SHA256)) == fingerprint,
        };
        _http = new HttpClient(handler) { BaseAddress = server.Host.Address };
        if (language is not null) _http.DefaultRequestHeaders.AcceptLanguage.ParseAdd(language);
    }

    public TestServer Server { get; }

    public CookieContainer Cookies { get; }

    public HttpClient Http => _http;

    public const string AdminName = "admin";

    public const string Password = TestServer.AdminPassword;

    /// <summary>A client signed in as the first administrator, created on the setup page with the printed code.</summary>
    public static async Task<DashboardClient> SetUpAdminAsync(TestServer server)
    {
        var client = new DashboardClient(server);
        var response = await client.SubmitAsync("/setup", new()
        {
            ["SetupCode"] = server.SetupCode, ["Username"] = AdminName, ["Password"] = Password, ["Confirm"] = Password,
        });
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return client;
    }

    /// <summary>Signs in on the login page; returns the answer to the form post.</summary>
    public Task<HttpResponseMessage> SignInAsync(string username, string password) =>
        SubmitAsync("/login", new() { ["Username"] = username, ["Password"] = password });

    public Task<HttpResponseMessage> GetAsync(string path) => _http.GetAsync(path, TestContext.Current.CancellationToken);

    /// <summary>GETs <paramref name="path"/>, asserts 200 and parses it.</summary>
    public async Task<IDocument> PageAsync(string path)
    {
        using var response = await GetAsync(path);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path}: {(int)response.StatusCode} {response.Headers.Location}");
        return await ParseAsync(response);
    }

    public static async Task<IDocument> ParseAsync(HttpResponseMessage response)
    {
        var html = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        var context = BrowsingContext.New(Configuration.Default);
        return await context.OpenAsync(r => r.Content(html).Address(response.RequestMessage!.RequestUri!), TestContext.Current.CancellationToken);
    }

    /// <summary>
    /// Loads <paramref name="path"/>, takes the form matched by <paramref name="formSelector"/> (the first POST form
    /// inside main by default), fills <paramref name="fields"/> over its current values and posts it like a browser.
    /// </summary>
    public async Task<HttpResponseMessage> SubmitAsync(string path, Dictionary<string, string> fields, string formSelector = "main form[method=post]",
        string? handler = null) =>
        await SubmitAsync(await PageAsync(path), path, fields, formSelector, handler);

    /// <summary>Posts a form of a page already loaded (for pages whose forms change on every load).</summary>
    public async Task<HttpResponseMessage> SubmitAsync(IDocument page, string path, Dictionary<string, string> fields, string formSelector = "main form[method=post]",
        string? handler = null)
    {
        var form = page.QuerySelector<IHtmlFormElement>(formSelector) ?? throw new InvalidOperationException($"no form '{formSelector}' on {path}");
        var values = new List<KeyValuePair<string, string>>();
        foreach (var element in form.Elements)
        {
            switch (element)
            {
                case IHtmlInputElement input when input.Name is { Length: > 0 } name && !fields.ContainsKey(name):
                    if ((input.Type is "checkbox" or "radio") && !input.IsChecked) break;
                    if (input.Type is "submit" or "button") break;
                    values.Add(new(name, input.Value));
                    break;
                case IHtmlTextAreaElement area when area.Name is { Length: > 0 } name && !fields.ContainsKey(name):
                    values.Add(new(name, area.Value));
                    break;
                case IHtmlSelectElement select when select.Name is { Length: > 0 } name && !fields.ContainsKey(name):
                    values.Add(new(name, select.Value ?? ""));
                    break;
            }
        }

        values.AddRange(fields);
        var action = form.GetAttribute("action") is { Length: > 0 } a ? a : path;
        if (handler is not null) action += (action.Contains('?', StringComparison.Ordinal) ? "&" : "?") + "handler=" + handler;
        return await PostAsync(action, values);
    }

    /// <summary>Posts form fields as they are (no antiforgery token added: for tests that prove one is required).</summary>
    public Task<HttpResponseMessage> PostAsync(string path, IEnumerable<KeyValuePair<string, string>> values) =>
        _http.PostAsync(path, new FormUrlEncodedContent(values), TestContext.Current.CancellationToken);

    /// <summary>The antiforgery token of the first form on <paramref name="path"/>.</summary>
    public async Task<string> AntiforgeryTokenAsync(string path)
    {
        var page = await PageAsync(path);
        return page.QuerySelector<IHtmlInputElement>("input[name=__RequestVerificationToken]")?.Value
            ?? throw new InvalidOperationException($"no antiforgery token on {path}");
    }

    public void Dispose() => _http.Dispose();
}
