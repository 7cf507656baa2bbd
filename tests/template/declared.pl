#!/usr/bin/env perl
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# declared.pl HEADER: the names HEADER declares at file scope, one a line,
# "KIND NAME": guard (the #ifndef/#define pair first in the file), macro,
# tag (struct, union, enum), const (enum constant, "const ENUMTAG NAME",
# in order), typedef, func. Struct members are not declarations of the
# file. Used by tests/template (names.sh, export.bash).
use strict;
use warnings;

local $/;
my $t = <>;
$t =~ s{/\*.*?\*/}{ }gs;
$t =~ s{//[^\n]*}{}g;
$t =~ s/\\\n/ /g;

if ($t =~ /\A\s*#\s*ifndef\s+(\w+)\s*\n\s*#\s*define\s+(\w+)/ && $1 eq $2) {
	print "guard $1\n";
	$t =~ s/\A\s*#\s*ifndef\s+\w+\s*\n\s*#\s*define\s+\w+[^\n]*//;
}
print "macro $1\n" while $t =~ /^\s*#\s*define\s+(\w+)/mg;
$t =~ s/^\s*#[^\n]*//mg;

# Enums: tag and constants.
while ($t =~ /\benum\s*(\w*)\s*\{([^}]*)\}/g) {
	my ($tag, $body) = ($1 || "-", $2);
	for (split /,/, $body) {
		print "const $tag $1\n" if /^\s*([A-Za-z_]\w*)/;
	}
}
print "tag $1 $2\n" while $t =~ /\b(struct|union|enum)\s+(\w+)\s*\{/g;
print "typedef $1\n" while $t =~ /\btypedef\b[^;{]*(?:\{[^}]*\}[^;]*)?\b(\w+)\s*;/g;
# Functions defined or declared at file scope: NAME( after a type, outside braces.
(my $top = $t) =~ s/\{[^{}]*\}/;/g;
$top =~ s/\{[^{}]*\}/;/g while $top =~ /\{/;
while ($top =~ /\b(\w+)\s*\([^;]*\)\s*;/g) {
	print "func $1\n" unless $1 =~ /^(?:if|while|for|switch|return|sizeof)$/;
}
