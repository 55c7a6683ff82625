; Inno Setup 6 script: the Windows installer for StockDesk, made from the PyInstaller folder.
;
;   pyinstaller --noconfirm --clean stockdesk.spec        (makes dist\stockdesk)
;   iscc /DAppVersion=0.1.0 installer\stockdesk.iss      (makes dist\StockDesk-0.1.0-setup.exe)
;
; AppVersion is stockdesk.__version__ (.github/workflows/installers.yml passes it). The setup
; installs for the current user only, without administrator rights, into
; %LOCALAPPDATA%\Programs\StockDesk ({autopf} in a non-administrative install), with a
; Start-menu shortcut, an optional desktop shortcut and an uninstaller. The database,
; settings and logs live in the user's own folders (%LOCALAPPDATA%\StockDesk, %APPDATA%),
; never in {app}: upgrading or uninstalling leaves them alone.
;
; Chinese setup messages: ChineseSimplified.isl is an official translation only from Inno
; Setup 7.0.2 on. Before that it was an unofficial one, kept in Inno Setup's source tree
; under Files\Languages\Unofficial and not installed with the compiler, so it must be
; supplied: /DChineseMessages=path\to\ChineseSimplified.isl (the workflow downloads the one
; for the installed compiler's version), or put it in the compiler's Languages\Unofficial.

#ifndef AppVersion
  #error Pass the version: iscc /DAppVersion=X.Y.Z installer\stockdesk.iss
#endif
#ifndef ChineseMessages
  #if FileExists(AddBackslash(CompilerPath) + "Languages\ChineseSimplified.isl")
    #define ChineseMessages "compiler:Languages\ChineseSimplified.isl"
  #elif FileExists(AddBackslash(CompilerPath) + "Languages\Unofficial\ChineseSimplified.isl")
    #define ChineseMessages "compiler:Languages\Unofficial\ChineseSimplified.isl"
  #else
    #error ChineseSimplified.isl is not with this compiler: pass /DChineseMessages=path\to\ChineseSimplified.isl
  #endif
#endif

[Setup]
; Never change AppId: it is how a newer setup finds and replaces an installed StockDesk.
AppId={{92BF1E46-5214-47DC-B58D-AD86B9D35CD7}
AppName=StockDesk
AppVersion={#AppVersion}
AppPublisher=StockDesk
VersionInfoVersion={#AppVersion}
PrivilegesRequired=lowest
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
DefaultDirName={autopf}\StockDesk
DisableProgramGroupPage=yes
UninstallDisplayIcon={app}\stockdesk.exe
SetupIconFile=..\resources\icons\stockdesk.ico
WizardStyle=modern
Compression=lzma2/max
SolidCompression=yes
OutputDir=..\dist
OutputBaseFilename=StockDesk-{#AppVersion}-setup
ShowLanguageDialog=auto

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"
Name: "chinesesimplified"; MessagesFile: "{#ChineseMessages}"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[InstallDelete]
; An upgrade replaces the whole program folder: libraries an older version shipped and the
; new one does not must not linger beside it. (Only the program lives in {app}.)
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "..\dist\stockdesk\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\StockDesk"; Filename: "{app}\stockdesk.exe"
Name: "{autodesktop}\StockDesk"; Filename: "{app}\stockdesk.exe"; Tasks: desktopicon

[Run]
Filename: "{app}\stockdesk.exe"; Description: "{cm:LaunchProgram,StockDesk}"; Flags: nowait postinstall skipifsilent
