# cols.awk - the awk functions the scripts of examples/ share: their
# text is put before each program (cols=$(cat cols.awk); awk "$cols"'...').

# col(NAME): the index of the column NAME in the header line now in $0
# (bh(7): `#` and the names), 0 when there is none
function col(name,   i) {
	for (i = 1; i <= NF; i++)
		if ($i == name || $i == "#" name)
			return i
	return 0
}
