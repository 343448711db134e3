// The interop layer between the SqlUrlBackup PowerShell module and the native sqlurl library.
//
// Compiled at BUILD time (build.ps1) against .NET Standard 2.0 so that the same assembly loads in
// PowerShell 7 (.NET 8+) and Windows PowerShell 5.1 (.NET Framework 4.7.2+). .NET Standard 2.0
// has no NativeLibrary class, so the library is loaded by absolute path with dlopen (Linux) or
// LoadLibraryExW (Windows), and each export is bound lazily with dlsym/GetProcAddress: a library
// that lacks an export is a clear error when that export is first used, not an import failure.
//
// Strings go in as NUL-terminated UTF-8 and come back as pointers the library owns; every
// returned string is copied and then freed with sqlurl_string_free. Request buffers are zeroed
// after each call because they may carry a password, SAS token or access token.

using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;

namespace SqlUrlBackup.Interop
{
    /// <summary>The result of one native call: the SqlurlResult code and the JSON it returned.</summary>
    public sealed class NativeCallResult
    {
        public NativeCallResult(int code, string json)
        {
            Code = code;
            Json = json;
        }

        /// <summary>SqlurlResult: 0 OK, 1 null argument, 2 invalid argument, 3 server, 4 connection,
        /// 5 timeout, 6 cancelled, 7 not supported, 8 precondition, 9 internal, 10 pending.</summary>
        public int Code { get; private set; }

        /// <summary>The JSON the library wrote to out_json, or null when it wrote nothing.</summary>
        public string Json { get; private set; }
    }

    /// <summary>A failure reported by the native library, carrying its error classification.</summary>
    public class SqlUrlBackupException : Exception
    {
        public SqlUrlBackupException(string message, string kind, string category, string recommendedAction, int resultCode)
            : base(message)
        {
            Kind = kind;
            Category = category;
            RecommendedAction = recommendedAction;
            ResultCode = resultCode;
        }

        public string Kind { get; private set; }
        public string Category { get; private set; }
        public string RecommendedAction { get; private set; }
        public int ResultCode { get; private set; }
        /// <summary>Server error numbers, cause first (may be empty).</summary>
        public int[] SqlErrorNumbers { get; set; }
        /// <summary>The OS error SQL Server reported for a storage failure, if any.</summary>
        public int? OsError { get; set; }
        /// <summary>The statement that failed (secrets already masked by the library).</summary>
        public string Statement { get; set; }
        /// <summary>The database the failure belongs to, if any.</summary>
        public string Database { get; set; }
        /// <summary>The server instance the request went to.</summary>
        public string ServerInstance { get; set; }
    }

    /// <summary>The native library could not be found or loaded.</summary>
    public class NativeLibraryLoadException : Exception
    {
        public NativeLibraryLoadException(string message, string path) : base(message)
        {
            LibraryPath = path;
        }

        public string LibraryPath { get; private set; }
    }

    /// <summary>A handle to a running native backup/restore operation (SqlurlOperation*).</summary>
    public sealed class OperationHandle : IDisposable
    {
        private readonly SqlUrlNative _native;
        private IntPtr _handle;
        private readonly object _gate = new object();

        internal OperationHandle(SqlUrlNative native, IntPtr handle)
        {
            _native = native;
            _handle = handle;
        }

        public bool IsClosed
        {
            get { lock (_gate) { return _handle == IntPtr.Zero; } }
        }

        /// <summary>sqlurl_operation_poll: never blocks.</summary>
        public NativeCallResult Poll()
        {
            lock (_gate)
            {
                ThrowIfClosed();
                return _native.CallWithHandle("sqlurl_operation_poll", _handle);
            }
        }

        /// <summary>sqlurl_operation_wait: OK + final status, or PENDING (10) after timeoutMs.</summary>
        public NativeCallResult Wait(uint timeoutMs)
        {
            IntPtr h;
            lock (_gate)
            {
                ThrowIfClosed();
                h = _handle;
            }
            // Not holding the lock while blocked, so Cancel can run from another thread.
            return _native.WaitOperation(h, timeoutMs);
        }

        /// <summary>sqlurl_operation_cancel: asks the server to stop; returns at once.</summary>
        public int Cancel()
        {
            lock (_gate)
            {
                if (_handle == IntPtr.Zero) return 0;
                return _native.CancelOperation(_handle);
            }
        }

        public void Dispose()
        {
            IntPtr h;
            lock (_gate)
            {
                h = _handle;
                _handle = IntPtr.Zero;
            }
            if (h != IntPtr.Zero) _native.FreeOperation(h);
            GC.SuppressFinalize(this);
        }

        ~OperationHandle()
        {
            // sqlurl_operation_free cancels a running operation first: nothing is left running.
            if (_handle != IntPtr.Zero) _native.FreeOperation(_handle);
        }

        private void ThrowIfClosed()
        {
            if (_handle == IntPtr.Zero) throw new ObjectDisposedException("OperationHandle");
        }
    }

    /// <summary>The loaded native library and its lazily bound exports.</summary>
    public sealed class SqlUrlNative
    {
        [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
        private delegate IntPtr VersionFn();
        [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
        private delegate void StringFreeFn(IntPtr s);
        [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
        private delegate int JsonFn(byte[] request, out IntPtr outJson);
        [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
        private delegate int StartFn(byte[] request, out IntPtr outOp, out IntPtr outJson);
        [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
        private delegate int HandleFn(IntPtr op, out IntPtr outJson);
        [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
        private delegate int WaitFn(IntPtr op, uint timeoutMs, out IntPtr outJson);
        [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
        private delegate int CancelFn(IntPtr op);
        [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
        private delegate void FreeFn(IntPtr op);

        private static readonly object LoadGate = new object();
        private static readonly Dictionary<string, SqlUrlNative> Loaded =
            new Dictionary<string, SqlUrlNative>(StringComparer.Ordinal);

        private readonly IntPtr _module;
        private readonly bool _windows;
        private readonly Dictionary<string, Delegate> _exports = new Dictionary<string, Delegate>(StringComparer.Ordinal);

        private SqlUrlNative(string path, IntPtr module, bool windows)
        {
            LibraryPath = path;
            _module = module;
            _windows = windows;
        }

        /// <summary>The absolute path the library was loaded from.</summary>
        public string LibraryPath { get; private set; }

        /// <summary>
        /// Loads the library from an absolute path (once per path per process). expectedMachine is
        /// the architecture the process needs ("x64", "arm64", "x86"); a file built for another one
        /// is refused with a message naming both, before the OS loader sees it.
        /// </summary>
        public static SqlUrlNative Load(string path, bool windows, string expectedMachine)
        {
            if (string.IsNullOrEmpty(path) || !Path.IsPathRooted(path))
                throw new NativeLibraryLoadException("The native library path must be absolute: '" + path + "'.", path);
            lock (LoadGate)
            {
                SqlUrlNative existing;
                if (Loaded.TryGetValue(path, out existing)) return existing;
                if (!File.Exists(path))
                    throw new NativeLibraryLoadException("The SqlUrlBackup native library was not found at '" + path + "'.", path);
                string machine = BinaryMachine.Read(path);
                if (machine == null)
                    throw new NativeLibraryLoadException("'" + path + "' is not a native library (neither ELF nor PE).", path);
                if (!string.IsNullOrEmpty(expectedMachine) && !string.Equals(machine, expectedMachine, StringComparison.OrdinalIgnoreCase))
                    throw new NativeLibraryLoadException("'" + path + "' is built for " + machine + " but this process is " + expectedMachine + ".", path);

                IntPtr module;
                if (windows)
                {
                    module = Win32.LoadLibraryExW(path, IntPtr.Zero, Win32.LOAD_WITH_ALTERED_SEARCH_PATH);
                    if (module == IntPtr.Zero)
                    {
                        int err = Marshal.GetLastWin32Error();
                        throw new NativeLibraryLoadException("LoadLibrary failed for '" + path + "' (Win32 error " + err + ").", path);
                    }
                }
                else
                {
                    module = Posix.dlopen(path, Posix.RTLD_NOW);
                    if (module == IntPtr.Zero)
                    {
                        string err = PtrToUtf8(Posix.dlerror());
                        throw new NativeLibraryLoadException("dlopen failed for '" + path + "': " + err, path);
                    }
                }
                var lib = new SqlUrlNative(path, module, windows);
                Loaded[path] = lib;
                return lib;
            }
        }

        /// <summary>
        /// Loads the library the module ships for this OS and process architecture from
        /// &lt;moduleRoot&gt;/runtimes/&lt;rid&gt;/native/, or from overridePath when given. A missing or
        /// unsupported one is an error naming the runtime and the path it looked for.
        /// </summary>
        public static SqlUrlNative LoadForModule(string moduleRoot, string overridePath)
        {
            string platform = RuntimeSelection.CurrentPlatform();
            string arch = RuntimeSelection.CurrentArchitecture();
            RuntimeTarget t = RuntimeSelection.Select(platform, arch);
            string path = string.IsNullOrEmpty(overridePath)
                ? Path.GetFullPath(Path.Combine(moduleRoot, t.RelativePath))
                : overridePath;
            if (string.IsNullOrEmpty(overridePath) && (!t.Supported || !File.Exists(path)))
            {
                string why = t.Supported ? "the file is missing (rebuild with build.ps1)" : "this module ships no library for that platform";
                throw new NativeLibraryLoadException(
                    "SqlUrlBackup cannot load its native library for " + t.RuntimeIdentifier + " (" + platform + ", " + arch +
                    " process): looked for '" + path + "', but " + why + ". Supported: " + string.Join(", ", RuntimeSelection.SupportedRuntimes) + ".", path);
            }
            try
            {
                return Load(path, platform == "Windows", t.Machine);
            }
            catch (NativeLibraryLoadException e)
            {
                throw new NativeLibraryLoadException("SqlUrlBackup cannot load its native library for " + t.RuntimeIdentifier + ": " + e.Message, path);
            }
        }

        /// <summary>True when the library exports the named function.</summary>
        public bool HasExport(string name)
        {
            return Resolve(name) != IntPtr.Zero;
        }

        /// <summary>sqlurl_version(): a static string, never freed.</summary>
        public string Version()
        {
            var fn = Bind<VersionFn>("sqlurl_version");
            return PtrToUtf8(fn());
        }

        /// <summary>Calls an export of shape int f(const char *request_json, char **out_json).</summary>
        public NativeCallResult Call(string export, string requestJson)
        {
            var fn = Bind<JsonFn>(export);
            byte[] request = ToUtf8Z(requestJson);
            IntPtr outJson = IntPtr.Zero;
            try
            {
                int code = fn(request, out outJson);
                return new NativeCallResult(code, TakeString(outJson));
            }
            finally
            {
                Array.Clear(request, 0, request.Length);
            }
        }

        /// <summary>Calls an operation start export: int f(const char *req, SqlurlOperation **op, char **out_json).
        /// Returns the handle on success (null otherwise) and the result in <paramref name="result"/>.</summary>
        public OperationHandle Start(string export, string requestJson, out NativeCallResult result)
        {
            var fn = Bind<StartFn>(export);
            // Bind these now so that a library without them fails before anything starts.
            Bind<WaitFn>("sqlurl_operation_wait");
            Bind<CancelFn>("sqlurl_operation_cancel");
            Bind<FreeFn>("sqlurl_operation_free");
            byte[] request = ToUtf8Z(requestJson);
            IntPtr op = IntPtr.Zero;
            IntPtr outJson = IntPtr.Zero;
            try
            {
                int code = fn(request, out op, out outJson);
                result = new NativeCallResult(code, TakeString(outJson));
                if (op == IntPtr.Zero) return null;
                return new OperationHandle(this, op);
            }
            finally
            {
                Array.Clear(request, 0, request.Length);
            }
        }

        internal NativeCallResult CallWithHandle(string export, IntPtr op)
        {
            var fn = Bind<HandleFn>(export);
            IntPtr outJson = IntPtr.Zero;
            int code = fn(op, out outJson);
            return new NativeCallResult(code, TakeString(outJson));
        }

        internal NativeCallResult WaitOperation(IntPtr op, uint timeoutMs)
        {
            var fn = Bind<WaitFn>("sqlurl_operation_wait");
            IntPtr outJson = IntPtr.Zero;
            int code = fn(op, timeoutMs, out outJson);
            return new NativeCallResult(code, TakeString(outJson));
        }

        internal int CancelOperation(IntPtr op)
        {
            return Bind<CancelFn>("sqlurl_operation_cancel")(op);
        }

        internal void FreeOperation(IntPtr op)
        {
            Bind<FreeFn>("sqlurl_operation_free")(op);
        }

        private string TakeString(IntPtr p)
        {
            if (p == IntPtr.Zero) return null;
            try
            {
                return PtrToUtf8(p);
            }
            finally
            {
                Bind<StringFreeFn>("sqlurl_string_free")(p);
            }
        }

        private IntPtr Resolve(string name)
        {
            return _windows ? Win32.GetProcAddress(_module, name) : Posix.dlsym(_module, name);
        }

        private T Bind<T>(string name) where T : class
        {
            lock (_exports)
            {
                Delegate d;
                if (!_exports.TryGetValue(name, out d))
                {
                    IntPtr p = Resolve(name);
                    if (p == IntPtr.Zero)
                        throw new EntryPointNotFoundException("The native library '" + LibraryPath + "' has no export '" + name +
                            "'. It is older than this module, or was built without that function.");
                    d = Marshal.GetDelegateForFunctionPointer(p, typeof(T));
                    _exports[name] = d;
                }
                return (T)(object)d;
            }
        }

        private static byte[] ToUtf8Z(string s)
        {
            if (s == null) throw new ArgumentNullException("requestJson");
            int n = Encoding.UTF8.GetByteCount(s);
            var buf = new byte[n + 1];
            Encoding.UTF8.GetBytes(s, 0, s.Length, buf, 0);
            return buf;
        }

        /// <summary>Copies a NUL-terminated UTF-8 string (Marshal.PtrToStringUTF8 is not in .NET Standard 2.0).</summary>
        public static string PtrToUtf8(IntPtr p)
        {
            if (p == IntPtr.Zero) return null;
            int len = 0;
            while (Marshal.ReadByte(p, len) != 0) len++;
            if (len == 0) return string.Empty;
            var buf = new byte[len];
            Marshal.Copy(p, buf, 0, len);
            return Encoding.UTF8.GetString(buf);
        }

        private static class Posix
        {
            public const int RTLD_NOW = 2;
            [DllImport("libdl.so.2", CharSet = CharSet.Ansi, BestFitMapping = false)]
            public static extern IntPtr dlopen(string fileName, int flags);
            [DllImport("libdl.so.2", CharSet = CharSet.Ansi, BestFitMapping = false)]
            public static extern IntPtr dlsym(IntPtr handle, string symbol);
            [DllImport("libdl.so.2")]
            public static extern IntPtr dlerror();
        }

        private static class Win32
        {
            public const uint LOAD_WITH_ALTERED_SEARCH_PATH = 0x00000008;
            [DllImport("kernel32.dll", CharSet = CharSet.Unicode, SetLastError = true)]
            public static extern IntPtr LoadLibraryExW(string fileName, IntPtr reserved, uint flags);
            [DllImport("kernel32.dll", CharSet = CharSet.Ansi, BestFitMapping = false, SetLastError = true)]
            public static extern IntPtr GetProcAddress(IntPtr module, string procName);
        }
    }

    /// <summary>Where the module keeps the native library for one OS and process architecture.</summary>
    public sealed class RuntimeTarget
    {
        public string RuntimeIdentifier { get; internal set; }
        public string FileName { get; internal set; }
        /// <summary>runtimes/&lt;rid&gt;/native/&lt;file&gt;, relative to the module folder.</summary>
        public string RelativePath { get; internal set; }
        /// <summary>The architecture the ELF/PE header must name: x64, arm64, x86, ...</summary>
        public string Machine { get; internal set; }
        /// <summary>True when this module ships a library for it (linux-x64, win-x64).</summary>
        public bool Supported { get; internal set; }
    }

    /// <summary>
    /// Platform/architecture to runtime folder: a pure function (Select) plus the current process's
    /// values. In C# so that the import runs almost no PowerShell (each PowerShell feature used for
    /// the first time in a session costs JIT time; see bench/import-time.ps1).
    /// </summary>
    public static class RuntimeSelection
    {
        public static readonly string[] SupportedRuntimes = { "linux-x64", "win-x64" };

        /// <summary>Pure: "Windows"/"Linux"/"MacOS" and "X64"/"AMD64"/"Arm64"/"X86"/... to the runtime target.</summary>
        public static RuntimeTarget Select(string platform, string architecture)
        {
            string os = (platform ?? string.Empty).ToLowerInvariant();
            if (os == "windows") os = "win";
            else if (os == "macos" || os == "osx") os = "osx";
            string arch = (architecture ?? string.Empty).ToLowerInvariant();
            if (arch == "amd64") arch = "x64";
            string file = os == "win" ? "sqlurl.dll" : (os == "osx" ? "libsqlurl.dylib" : "libsqlurl.so");
            string rid = os + "-" + arch;
            return new RuntimeTarget
            {
                RuntimeIdentifier = rid,
                FileName = file,
                RelativePath = "runtimes/" + rid + "/native/" + file,
                Machine = arch,
                Supported = Array.IndexOf(SupportedRuntimes, rid) >= 0,
            };
        }

        /// <summary>Windows, Linux, MacOS or Unknown.</summary>
        public static string CurrentPlatform()
        {
            if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows)) return "Windows";
            if (RuntimeInformation.IsOSPlatform(OSPlatform.Linux)) return "Linux";
            if (RuntimeInformation.IsOSPlatform(OSPlatform.OSX)) return "MacOS";
            return "Unknown";
        }

        /// <summary>The PROCESS architecture (an x64 process on an ARM64 machine is X64).</summary>
        public static string CurrentArchitecture()
        {
            return RuntimeInformation.ProcessArchitecture.ToString();
        }
    }

    /// <summary>Reads the target machine from an ELF or PE header.</summary>
    public static class BinaryMachine
    {
        /// <summary>"x64", "arm64", "x86", "arm", "other:&lt;n&gt;", or null when the file is neither ELF nor PE.</summary>
        public static string Read(string path)
        {
            byte[] head = new byte[4096];
            int n;
            using (var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read))
            {
                n = fs.Read(head, 0, head.Length);
            }
            if (n >= 20 && head[0] == 0x7F && head[1] == (byte)'E' && head[2] == (byte)'L' && head[3] == (byte)'F')
            {
                bool little = head[5] == 1;
                int machine = little ? (head[18] | (head[19] << 8)) : ((head[18] << 8) | head[19]);
                switch (machine)
                {
                    case 0x3E: return "x64";
                    case 0xB7: return "arm64";
                    case 0x03: return "x86";
                    case 0x28: return "arm";
                    default: return "other:" + machine;
                }
            }
            if (n >= 64 && head[0] == (byte)'M' && head[1] == (byte)'Z')
            {
                int pe = BitConverter.ToInt32(head, 0x3C);
                if (pe > 0 && pe + 6 <= n && head[pe] == (byte)'P' && head[pe + 1] == (byte)'E' && head[pe + 2] == 0 && head[pe + 3] == 0)
                {
                    int machine = head[pe + 4] | (head[pe + 5] << 8);
                    switch (machine)
                    {
                        case 0x8664: return "x64";
                        case 0xAA64: return "arm64";
                        case 0x014C: return "x86";
                        case 0x01C4: return "arm";
                        default: return "other:" + machine;
                    }
                }
            }
            return null;
        }
    }
}
