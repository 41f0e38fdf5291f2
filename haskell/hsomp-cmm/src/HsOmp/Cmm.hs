{-# LANGUAGE MagicHash #-}
{-# LANGUAGE TemplateHaskell #-}
-- | Inline Cmm: the @[cmm| ... |]@ quasiquoter.
--
-- A quote in declaration position holds Haskell type signatures followed by
-- Cmm procedures.  The splice compiles the Cmm with GHC at compile time,
-- links the object into the module, and declares each signature as a typed
-- @foreign import prim@:
--
-- > {-# LANGUAGE TemplateHaskell, QuasiQuotes, GHCForeignImportPrim #-}
-- > {-# LANGUAGE MagicHash, UnboxedTuples, UnliftedFFITypes #-}
-- > import HsOmp.Cmm (cmm)
-- >
-- > [cmm|
-- > addTwo# :: Int# -> Int# -> Int#
-- > addTwo# (W_ x, W_ y)
-- > {
-- >     return (x + y);
-- > }
-- > |]
--
-- declares @addTwo# :: Int# -> Int# -> Int#@.
--
-- The format:
--
-- * Leading lines of the form @name :: type@ are the signatures (a
--   signature continues on the next line when that line starts with @->@).
--   Types are the @foreign import prim@ subset: type constructors applied to
--   each other, @->@, parentheses, tuples and unboxed tuples, e.g.
--   @Addr# -> Int# -> State# RealWorld -> (# State# RealWorld, Int# #)@.
--   Names are resolved at the quote (@lookupTypeName@); @Int#@, @Word#@,
--   @Double#@, @Float#@, @Char#@, @Addr#@, @State#@, @RealWorld@,
--   @ByteArray#@ and @MutableByteArray#@ need no import.
-- * The rest is Cmm, with @#include \"Cmm.h\"@ already done.  It must
--   define a procedure for each signature, under the signature's name
--   (@#@ allowed).  That name is a token of the quote, not a symbol: the
--   quoter replaces it everywhere in the quote with a symbol unique to the
--   package, module and name (@hsomp_cmm_\<package\>_\<module\>_\<name\>@,
--   z-encoded).  Other top-level names in the quote (helper procedures,
--   data) are global symbols as written.
--
-- Errors come back as compile errors at the quote: a signature GHC cannot
-- parse or resolve names the signature's line, and the Cmm compiler's own
-- messages name the file and line of the Haskell source (the Cmm is
-- preceded by a @#line@ directive, which GHC's Cmm lexer honours), e.g.
--
-- > src/M.hs:12:1: error:
-- >     • [cmm| |]: GHC rejected the Cmm of this quote:
-- >       src/M.hs:16:20: error: parse error on input ‘;’
--
-- The Cmm is compiled by @ghc-\<version\>@ (the version of the compiler
-- running the splice, from @System.Info@), or by @$HSOMP_GHC@ when set,
-- with @-fPIC -fexternal-dynamic-refs@ so that one object serves the
-- static and the dynamic ways (and @-package-env -@: no environment file
-- of the build directory is read).  When the module is compiled for
-- profiling (@-prof@, e.g. @cabal build --enable-profiling@), the Cmm is
-- compiled with @-prof@ too, so that it uses the profiled RTS's layout of
-- heap objects (see Note [Cmm of a profiled module]).  The temporary files are GHC's own
-- ('addTempFile'): unique per compilation and removed when it ends.
--
-- This module depends on no C code of the package, so other modules of the
-- package can use the quoter in their own splices.
module HsOmp.Cmm
  ( -- * The quasiquoter
    cmm
  , cmmDecs
    -- * Pieces (exported for tests and for other quoters)
  , parsePrimType
  , cmmSymbol
  ) where

import Control.Monad (forM, forM_, unless, when)
import Data.Char (isAlphaNum, isLower, isSpace, isUpper, ord)
import Data.List (intercalate, isInfixOf, isPrefixOf)
import Data.Version (showVersion)
import GHC.Exts (Addr#, ByteArray#, Char#, Double#, Float#, Int#, MutableByteArray#, RealWorld, State#, Word#)
import Language.Haskell.TH
import Language.Haskell.TH.Quote (QuasiQuoter (..))
import Language.Haskell.TH.Syntax (ForeignSrcLang (RawObject), addForeignFilePath, addTempFile, getQ, putQ)
import Foreign.C.Types (CInt (..))
import System.Environment (getArgs, lookupEnv)
import System.Exit (ExitCode (..))
import System.Info (fullCompilerVersion)
import System.IO.Error (tryIOError)
import System.Process (readProcessWithExitCode)
import Text.Printf (printf)

-- | The quasiquoter; declaration position only.  See the module header for
-- the format.
--
-- > [cmm|
-- > capNo# :: State# RealWorld -> (# State# RealWorld, Int# #)
-- > capNo# () { return (TO_W_(Capability_no(MyCapability()))); }
-- > |]
cmm :: QuasiQuoter
cmm = QuasiQuoter
  { quoteDec = cmmDecs
  , quoteExp = const (notHere "an expression")
  , quotePat = const (notHere "a pattern")
  , quoteType = const (notHere "a type")
  }
  where notHere what = fail ("[cmm| |] makes declarations; it cannot be used as " ++ what)

------------------------------------------------------------------------------
-- The quote

-- | One signature of a quote: its name, its type text and the 0-based line
-- of the quote it starts on.
data Sig = Sig { sigName :: String, sigType :: String, sigLine :: Int }

-- | The declarations of a quote (what 'cmm' runs): compile the Cmm, link
-- it, declare the @foreign import prim@s.
--
-- > $(cmmDecs "one# :: Int#\none# () { return (1); }\n")
cmmDecs :: String -> Q [Dec]
cmmDecs body = do
  loc <- location
  let file = loc_filename loc
      line0 = fst (loc_start loc)
      at i = file ++ ":" ++ show (line0 + i)
      ls = lines body
  (sigs, cmmStart) <- either (\(i, e) -> fail (at i ++ ": " ++ e)) pure (splitSignatures ls)
  when (null sigs) $
    fail "[cmm| |]: the quote starts with no signature (name :: type) before its Cmm"
  checkExtensions
  let syms = [ (sigName s, cmmSymbol (loc_package loc) (loc_module loc) (sigName s)) | s <- sigs ]
      cmmLines = drop cmmStart ls
      cmmText = renameTokens syms (unlines cmmLines)
  forM_ sigs $ \s ->
    unless (any (occursAsToken (sigName s)) cmmLines) $
      fail (at (sigLine s) ++ ": the Cmm of this quote defines no procedure named " ++ sigName s)
  types <- forM sigs $ \s ->
    either (\e -> fail (at (sigLine s) ++ ": in the signature of " ++ sigName s ++ ": " ++ e)) pure
      =<< parsePrimType (sigType s)
  let source = "#include \"Cmm.h\"\n#line " ++ show (line0 + cmmStart) ++ " " ++ show file ++ "\n" ++ cmmText
  obj <- compileCmm (assemblerErrorsAt at cmmStart cmmLines syms) source
  addForeignFilePath RawObject obj
  pure [ ForeignD (ImportF Prim Safe sym (mkName (sigName s)) ty)
       | (s, (_, sym), ty) <- zip3 sigs syms types ]

-- | Split the leading signatures off the quote's lines: the signatures and
-- the index of the first Cmm line, or the line and text of an error.
splitSignatures :: [String] -> Either (Int, String) ([Sig], Int)
splitSignatures = go [] 0
  where
    go acc i [] = Right (reverse acc, i)
    go acc i (l : rest)
      | all isSpace l = go acc (i + 1) rest
      | "->" `isPrefixOf` dropWhile isSpace l, s : more <- acc =
          go (s { sigType = sigType s ++ " " ++ dropWhile isSpace l } : more) (i + 1) rest
      | Just (n, ty) <- signatureLine l =
          if all isSpace ty then Left (i, "the signature of " ++ n ++ " has no type")
          else go (Sig n ty i : acc) (i + 1) rest
      | otherwise = Right (reverse acc, i)

-- | @name :: type@ on one line: the name and the text after @::@.
signatureLine :: String -> Maybe (String, String)
signatureLine l =
  case span isNameChar (dropWhile isSpace l) of
    (n@(c : _), rest)
      | isLower c || c == '_'
      , (hashes, rest') <- span (== '#') rest
      , "::" `isPrefixOf` dropWhile isSpace rest' ->
          Just (n ++ hashes, drop 2 (dropWhile isSpace rest'))
    _ -> Nothing

isNameChar :: Char -> Bool
isNameChar c = isAlphaNum c || c == '_' || c == '\''

-- | The quote's names as tokens of Cmm: letters, digits, @_@, @.@ and @$@,
-- then any number of @#@.
isCmmNameChar :: Char -> Bool
isCmmNameChar c = isAlphaNum c || c `elem` "_.$"

-- | Does the name occur in the line as a whole token?
occursAsToken :: String -> String -> Bool
occursAsToken n l = renameTokens [(n, "\0")] l /= l

-- | Replace each whole-token occurrence of the names.
renameTokens :: [(String, String)] -> String -> String
renameTokens names = go ' '
  where
    go _ [] = []
    go prev s@(c : cs)
      | not (isCmmNameChar prev) && isCmmNameChar c =
          let (tok, rest) = span isCmmNameChar s
              (hashes, rest') = span (== '#') rest
              whole = tok ++ hashes
          in case lookup whole names of
               Just sym -> sym ++ go '#' rest'
               Nothing -> whole ++ go (if null hashes then last tok else '#') rest'
      | otherwise = c : go c cs

-- | The symbol of a quote's procedure: unique to the package, module and
-- Haskell name, as GHC's own symbols are, z-encoded.
--
-- >>> cmmSymbol "main" "M" "f#"
-- "hsomp_cmm_main_M_fzh"
cmmSymbol :: String -> String -> String -> String
cmmSymbol pkg md n = intercalate "_" ["hsomp_cmm", zEncode pkg, zEncode md, zEncode n]
  where
    zEncode = concatMap enc
    enc c
      | c == 'z' = "zz"
      | c == '#' = "zh"
      | c == '.' = "zi"
      | c == '_' = "zu"
      | c == '\'' = "zq"
      | c == '-' = "zm"
      | isAlphaNum c && ord c < 128 = [c]
      | otherwise = printf "z%xU" (ord c)

-- | Fail unless the extensions a @foreign import prim@ declaration needs
-- are on where the quote is.
checkExtensions :: Q ()
checkExtensions = do
  missing <- filterMExt [GHCForeignImportPrim, UnliftedFFITypes]
  unless (null missing) $
    fail ("[cmm| |] declares foreign import prim: enable " ++ intercalate ", " (map show missing)
          ++ " in this module")
  where
    filterMExt es = concat <$> mapM (\e -> (\on -> [e | not on]) <$> isExtEnabled e) es

------------------------------------------------------------------------------
-- Types

-- | Parse a type of the @foreign import prim@ subset and resolve its names
-- at the splice site: @Right@ the type, @Left@ what is wrong.
--
-- > runQ (parsePrimType "Int# -> (# State# RealWorld, Int# #)")
parsePrimType :: String -> Q (Either String Type)
parsePrimType text =
  case tokenize text >>= parseAll of
    Left e -> pure (Left e)
    Right t -> resolve t
  where
    parseAll ts = case pType ts of
      Right (t, []) -> Right t
      Right (_, tok : _) -> Left ("unexpected " ++ show tok)
      Left e -> Left e

-- | A type before its names are resolved.
data PType = PCon String | PApp PType PType | PFun PType PType | PTuple [PType] | PUnboxed [PType]

tokenize :: String -> Either String [String]
tokenize [] = Right []
tokenize s@(c : cs)
  | isSpace c = tokenize cs
  | "(#" `isPrefixOf` s = ("(#" :) <$> tokenize (drop 2 s)
  | "#)" `isPrefixOf` s = ("#)" :) <$> tokenize (drop 2 s)
  | "->" `isPrefixOf` s = ("->" :) <$> tokenize (drop 2 s)
  | c `elem` "()," = ([c] :) <$> tokenize cs
  | isAlphaNum c || c == '_' =
      let (n, rest) = span (\x -> isNameChar x || x == '.') s
          (hashes, rest') = span (== '#') rest
      in ((n ++ hashes) :) <$> tokenize rest'
  | otherwise = Left ("unexpected character " ++ show c)

pType :: [String] -> Either String (PType, [String])
pType ts = do
  (a, rest) <- pApp ts
  case rest of
    "->" : rest' -> do
      (r, rest'') <- pType rest'
      pure (PFun a r, rest'')
    _ -> pure (a, rest)

pApp :: [String] -> Either String (PType, [String])
pApp ts = do
  (f, rest) <- pAtom ts
  let args t r = case pAtom r of
        Right (a, r') -> args (PApp t a) r'
        Left _ -> (t, r)
  pure (args f rest)

pAtom :: [String] -> Either String (PType, [String])
pAtom ("(#" : "#)" : rest) = Right (PUnboxed [], rest)
pAtom ("(#" : rest) = do
  (ts, rest') <- pList rest
  case rest' of
    "#)" : rest'' -> Right (PUnboxed ts, rest'')
    _ -> Left "expected #) to close an unboxed tuple"
pAtom ("(" : ")" : rest) = Right (PTuple [], rest)
pAtom ("(" : rest) = do
  (ts, rest') <- pList rest
  case (ts, rest') of
    ([t], ")" : rest'') -> Right (t, rest'')
    (_, ")" : rest'') -> Right (PTuple ts, rest'')
    _ -> Left "expected ) to close a parenthesis"
pAtom (n@(c : _) : rest)
  | isUpper c = Right (PCon n, rest)
  | isLower c || c == '_' = Left ("type variable " ++ n ++ ": a foreign import prim type has none")
pAtom (t : _) = Left ("unexpected " ++ show t)
pAtom [] = Left "the type ends too early"

pList :: [String] -> Either String ([PType], [String])
pList ts = do
  (t, rest) <- pType ts
  case rest of
    "," : rest' -> do
      (more, rest'') <- pList rest'
      pure (t : more, rest'')
    _ -> pure ([t], rest)

resolve :: PType -> Q (Either String Type)
resolve (PCon n) = do
  found <- lookupTypeName n
  pure $ case found of
    Just name -> Right (ConT name)
    Nothing -> maybe (Left ("type " ++ n ++ " is not in scope")) (Right . ConT) (lookup n builtinTypes)
resolve (PApp f a) = fmap2 AppT (resolve f) (resolve a)
resolve (PFun a r) = fmap2 (\x y -> AppT (AppT ArrowT x) y) (resolve a) (resolve r)
resolve (PTuple ts) = fmap (foldl AppT (TupleT (length ts))) . sequence <$> mapM resolve ts
resolve (PUnboxed ts) = fmap (foldl AppT (UnboxedTupleT (length ts))) . sequence <$> mapM resolve ts

fmap2 :: (a -> b -> c) -> Q (Either String a) -> Q (Either String b) -> Q (Either String c)
fmap2 f qa qb = do
  a <- qa
  b <- qb
  pure (f <$> a <*> b)

-- | The primitive types a quote may name without importing them.
builtinTypes :: [(String, Name)]
builtinTypes =
  [ ("Int#", ''Int#), ("Word#", ''Word#), ("Double#", ''Double#), ("Float#", ''Float#)
  , ("Char#", ''Char#), ("Addr#", ''Addr#), ("State#", ''State#), ("RealWorld", ''RealWorld)
  , ("ByteArray#", ''ByteArray#), ("MutableByteArray#", ''MutableByteArray#) ]

------------------------------------------------------------------------------
-- Compiling

-- | Compile Cmm source to an object file with the GHC that runs the splice;
-- the object is one of GHC's temporary files.
compileCmm :: (String -> Maybe String) -> String -> Q FilePath
compileCmm assemblerErrors source = do
  ghc <- ghcForCmm
  src <- addTempFile "cmm"
  obj <- addTempFile "o"
  profiled <- runIO profiledWay
  (code, out, err) <- runIO $ do
    writeFile src source
    readProcessWithExitCode ghc (["-c", src, "-o", obj, "-fPIC", "-fexternal-dynamic-refs", "-package-env", "-"]
                                 ++ ["-prof" | profiled]) ""
  case code of
    ExitSuccess -> pure obj
    ExitFailure _
      | Just located <- assemblerErrors (out ++ err) ->
          fail ("[cmm| |]: the assembler rejected the code GHC made from this quote:\n" ++ located
                ++ "\n(GHC's message, about its temporary assembly file:)\n" ++ trim (out ++ err))
      | otherwise ->
          fail ("[cmm| |]: GHC rejected the Cmm of this quote:\n" ++ trim (out ++ err))
  where trim = dropWhile isSpace . reverse . dropWhile isSpace . reverse

-- Note [Cmm of a profiled module]
-- A profiled program's heap objects have a larger header (the cost centre
-- stack and the LDV word: StgProfHeader), so every offset into a closure,
-- a TSO or a stack differs from the ordinary way's, and Cmm.h's macros
-- (StgTSO_id, SAVE_THREAD_STATE, ...) give the profiled offsets only when
-- the Cmm is compiled with -prof (which defines PROFILING).  A splice
-- cannot ask GHC for the way it compiles the module, so the quoter looks
-- where the splice runs:
--
--  * GHC's own interpreter (the default; Cabal builds the ordinary way
--    first and then the profiled way with -prof -osuf p_o, in a second
--    GHC process, loading the ordinary objects to run splices): the splice
--    runs inside that GHC process, non-profiled, and getArgs is GHC's own
--    command line, which holds -prof;
--
--  * -fexternal-interpreter: splices of a profiled module run in
--    ghc-iserv-prof, a profiled process: rts_isProfiled() is 1.
--
-- A GHC response file (@file) on the command line is read for -prof too.
-- test/package-checks.sh ("profiling") builds test/prof-project, whose
-- quote reads the TSO and a byte array, and which runs HsOmp.Inline's
-- batchApply (it saves the thread state into the TSO), with profiling.

foreign import ccall unsafe "rts_isProfiled" c_rtsIsProfiled :: IO CInt

-- | True when the module whose splice is running is compiled for
-- profiling (Note [Cmm of a profiled module]).
profiledWay :: IO Bool
profiledWay = do
  inProfiledProcess <- (/= 0) <$> c_rtsIsProfiled
  args <- getArgs >>= fmap concat . mapM expand
  pure (inProfiledProcess || "-prof" `elem` args)
  where
    expand ('@' : file) = either (const []) words <$> tryIOError (readFile file)
    expand a = pure [a]

-- | GHC's Cmm parser reports at the quote's own lines (the @#line@
-- directive), but an error of the assembler names GHC's temporary @.s@
-- file.  For each assembler error (@Error: ...@ after @Assembler
-- messages:@), the quote's line of the symbol it quotes (@`sym'@, mapped
-- back from the unique name of a signature's procedure): the last line
-- that starts with it (a definition), else the last that mentions it, else
-- the quote's first Cmm line.  'Nothing' when the assembler is not the one
-- complaining.
assemblerErrorsAt :: (Int -> String) -> Int -> [String] -> [(String, String)] -> String -> Maybe String
assemblerErrorsAt at cmmStart cmmLines syms msg
  | not ("Assembler messages" `isInfixOf` msg) = Nothing
  | null errs = Nothing
  | otherwise = Just (intercalate "\n" [ at (lineOf e) ++ ": " ++ e | e <- errs ])
  where
    errs = [ dropWhile isSpace (drop (length "Error:") r)
           | l <- lines msg, let r = dropWhile isSpace l, "Error:" `isPrefixOf` r ]
    numbered = zip [cmmStart ..] cmmLines
    original sym = maybe sym fst (lookup sym [ (u, (n, u)) | (n, u) <- syms ])
    quoted e = case break (== '`') e of
      (_, '`' : rest) -> Just (original (takeWhile (/= '\'') rest))
      _ -> Nothing
    lineOf e = case quoted e of
      Nothing -> cmmStart
      Just sym ->
        case ( [ i | (i, l) <- numbered, occursAsToken sym l, sym `isPrefixOf` dropWhile isSpace l ]
             , [ i | (i, l) <- numbered, occursAsToken sym l ] ) of
          (defs@(_ : _), _) -> last defs
          ([], uses@(_ : _)) -> last uses
          _ -> cmmStart

-- | Remembered for the rest of the module: the compiler to run.
newtype CmmGhc = CmmGhc FilePath

-- | The GHC to compile Cmm with: @$HSOMP_GHC@, else @ghc-\<version\>@ of the
-- running compiler, else @ghc@; checked to be that version (the Cmm's
-- offsets into RTS structures must match the RTS the program links).
ghcForCmm :: Q FilePath
ghcForCmm = do
  cached <- getQ
  case cached of
    Just (CmmGhc g) -> pure g
    Nothing -> do
      let want = showVersion fullCompilerVersion
      override <- runIO (lookupEnv "HSOMP_GHC")
      let candidates = maybe ["ghc-" ++ want, "ghc"] pure override
      found <- runIO (firstWorking candidates)
      case found of
        Nothing -> fail ("[cmm| |]: no GHC to compile Cmm with (tried " ++ unwords candidates
                         ++ "; set HSOMP_GHC)")
        Just (g, v)
          | v /= want -> fail ("[cmm| |]: " ++ g ++ " is GHC " ++ v ++ ", but this module is compiled by GHC "
                               ++ want ++ ": set HSOMP_GHC to a ghc-" ++ want)
          | otherwise -> putQ (CmmGhc g) >> pure g
  where
    firstWorking [] = pure Nothing
    firstWorking (g : gs) = do
      r <- tryVersion g
      maybe (firstWorking gs) (\v -> pure (Just (g, v))) r
    tryVersion g = do
      r <- tryIOError (readProcessWithExitCode g ["--numeric-version"] "")
      pure $ case r of
        Right (ExitSuccess, out, _) -> Just (takeWhile (not . isSpace) out)
        _ -> Nothing

